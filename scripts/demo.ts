// `npm run demo`: the whole stack on this machine, ready to chat. Starts the Gitter emulator (fixtures/demo.yaml,
// with its control API; with --network mattermost, the Mattermost emulator and fixtures/mattermost-demo.yaml),
// a real Synapse and the bridge, registers a Matrix user, prints what to do next, and
// stops all of it on Ctrl-C. Needs root for Synapse's chroot (scripts/demo.sh installs the rest first).
import { execFile } from "node:child_process";
import { createWriteStream, existsSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { FixtureError } from "../emulator/fixture";
import { FixtureError as MmFixtureError } from "../emulator/mattermost/fixture";
import { startBridge, type BridgeFiles, type BridgeProcess } from "../test/harness/stack";
import { provisionSynapse, startSynapse, type SynapseHandle } from "../test/harness/synapse";
import { DOMAIN, emulatorStateFile, nextState, prepareBridgeFiles, readState, writeState, type DemoState } from "./demo/files";
import { demoNetwork, type DemoNetworkSide } from "./demo/network";
import { checkPortsFree, DEMO_NETWORKS, DEMO_USAGE, DemoUsageError, parseDemoOptions, PortsTakenError, type DemoOptions } from "./demo/options";
import { StartAborted, Teardown } from "./demo/teardown";

const run = promisify(execFile);
const SYNAPSE_SCRIPT = path.resolve(__dirname, "synapse.sh");
const BRIDGE_STOP_MS = 20_000;
const KEEP_LINES = 200;
const started = Date.now();

function progress(line: string): void {
  const seconds = Math.round((Date.now() - started) / 1000);
  process.stdout.write(`[demo ${String(seconds).padStart(3)}s] ${line}\n`);
}

async function startHomeserver(opts: DemoOptions, files: BridgeFiles, reuse: boolean, teardown: Teardown): Promise<SynapseHandle> {
  progress(`starting Synapse (instance "${opts.instance}") on http://127.0.0.1:${opts.ports.homeserver}`);
  const starting = startSynapse({ registrationPath: files.registrationPath, name: opts.instance, port: opts.ports.homeserver, fresh: !reuse });
  // Registered before it is up: a Ctrl-C meanwhile still stops it, by the pid file, once the start settles.
  await teardown.add("Synapse", async () => {
    await starting.catch(() => undefined);
    await run("bash", [SYNAPSE_SCRIPT, "stop", opts.instance]);
  });
  return starting;
}

async function stopBridge(bridge: BridgeProcess): Promise<void> {
  const timer = setTimeout(() => void bridge.kill(), BRIDGE_STOP_MS);
  const code = await bridge.stop();
  clearTimeout(timer);
  if (code !== 0) throw new Error(`the bridge exited with ${code === null ? "a signal" : `code ${code}`}`);
}

async function startTheBridge(files: BridgeFiles, logFile: string, teardown: Teardown): Promise<BridgeProcess> {
  progress("starting the bridge");
  const log = createWriteStream(logFile, { flags: "w" });
  const bridge = startBridge(files, {}, { detached: true });
  await teardown.add("the bridge", async () => {
    try {
      await stopBridge(bridge);
    } finally {
      log.end();
    }
  });
  const keep = (chunk: Buffer) => {
    log.write(chunk);
    // A demo may run for days: keep only the recent lines in memory, the log file has them all.
    if (bridge.lines.length > KEEP_LINES) bridge.lines.splice(0, bridge.lines.length - KEEP_LINES);
  };
  bridge.proc.stdout!.on("data", keep);
  bridge.proc.stderr!.on("data", keep);
  const exited = new Promise<never>((_, reject) =>
    bridge.proc.once("exit", (code) =>
      reject(new Error(`the bridge exited during start-up (code ${code}); last lines:\n${bridge.lines.slice(-15).join("\n")}`)),
    ),
  );
  await Promise.race([bridge.waitForLine(/bridge started/, 60_000), exited]);
  progress(`bridge running (pid ${bridge.proc.pid}), log in ${logFile}`);
  return bridge;
}

/**
 * Whether this run goes on in the last run's world: with --keep, when that run kept one (the emulator's file and
 * the bridge's database are both there). Otherwise everything starts new, and those files go.
 */
async function chooseWorld(opts: DemoOptions): Promise<boolean> {
  const reuse = opts.keep && existsSync(emulatorStateFile(opts.dir, opts.network)) && existsSync(path.join(opts.dir, "data"));
  if (!reuse) {
    // A new world: the emulator forgets yesterday's ids and tokens, so the bridge's data must go too (and the other
    // network's kept world, which that data belonged to if it was the last one kept).
    await rm(path.join(opts.dir, "data"), { recursive: true, force: true });
    for (const network of DEMO_NETWORKS) await rm(emulatorStateFile(opts.dir, network), { force: true });
  }
  progress(reuse ? "going on in the last run's world (--keep)" : `a new world${opts.keep ? ", kept for the next run (--keep)" : ""}`);
  return reuse;
}

/** Writes the bridge's files for this run and remembers its state. */
async function prepareDir(opts: DemoOptions, app: DemoNetworkSide["app"]): Promise<{ files: BridgeFiles; state: DemoState }> {
  const previous = await readState(opts.dir);
  await mkdir(opts.dir, { recursive: true });
  const prepared = await prepareBridgeFiles(opts, previous, app);
  progress(prepared.written ? `wrote config.yaml and registration.yaml in ${opts.dir}` : `using the config in ${opts.dir}`);
  const state = nextState(opts, previous);
  await writeState(opts.dir, state);
  return { files: prepared.files, state };
}

/** Brings everything up and prints the banner. Throws StartAborted if a signal arrived meanwhile. */
async function startAll(opts: DemoOptions, teardown: Teardown): Promise<BridgeProcess> {
  const step = <T>(value: T): T => {
    if (teardown.isStopping) throw new StartAborted();
    return value;
  };
  progress("checking that the ports are free");
  await checkPortsFree(opts.ports, opts.network);
  const network = demoNetwork(opts, progress);
  progress("preparing Synapse (the first time this builds a Debian chroot: a few minutes)");
  step(await provisionSynapse());
  await mkdir(opts.dir, { recursive: true });
  const reuse = await chooseWorld(opts);
  const networkUrl = step(await network.start(teardown));
  const { files, state } = step(await prepareDir(opts, network.app));
  const synapse = step(await startHomeserver(opts, files, reuse, teardown));
  const bridgeLog = path.join(opts.dir, "bridge.log");
  const bridge = step(await startTheBridge(files, bridgeLog, teardown));
  const { localpart, password } = state.matrixUser;
  progress(`registering the Matrix user @${localpart}:${DOMAIN}`);
  const account = step(await registerOnce(synapse, localpart, password, reuse));
  const webUrl = `http://127.0.0.1:${opts.ports.web}`;
  const synapseLog = path.join(synapse.dataDir, "homeserver.log");
  const banner = network.banner({ homeserverUrl: synapse.url, userId: account.userId, localpart, password, webUrl, bridgeLog, synapseLog }, networkUrl);
  process.stdout.write(`\n${banner}`);
  return bridge;
}

/** The demo user; in a kept world it exists already, with the password demo.json remembers. */
async function registerOnce(synapse: SynapseHandle, localpart: string, password: string, reuse: boolean): Promise<{ userId: string }> {
  try {
    return await synapse.registerUser(localpart, password);
  } catch (err) {
    if (reuse && /User ID already taken/.test((err as Error).message)) return { userId: `@${localpart}:${DOMAIN}` };
    throw err;
  }
}

function stopOnSignals(teardown: Teardown): void {
  const onSignal = (signal: NodeJS.Signals) => {
    if (teardown.isStopping) {
      // npm forwards the terminal's Ctrl-C as well, so a second signal is normal: stopping is already under way.
      progress(`${signal}: still stopping`);
      return;
    }
    progress(`${signal}: stopping everything`);
    void teardown.stopAll().then((clean) => {
      progress(clean ? "all stopped" : "stopped, with the problems above");
      process.exit(clean ? 0 : 1);
    });
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}

async function main(): Promise<void> {
  const opts = parseDemoOptions(process.argv.slice(2), process.env);
  if (opts.help) {
    process.stdout.write(DEMO_USAGE);
    return;
  }
  const teardown = new Teardown(progress);
  stopOnSignals(teardown);
  let bridge: BridgeProcess;
  try {
    bridge = await startAll(opts, teardown);
  } catch (err) {
    if (teardown.isStopping) return; // a signal arrived; its handler finishes the stop and exits
    await teardown.stopAll();
    throw err;
  }
  bridge.proc.once("exit", (code) => {
    if (teardown.isStopping) return;
    progress(`the bridge stopped on its own (exit code ${code}); see ${path.join(opts.dir, "bridge.log")}`);
    void teardown.stopAll().then(() => process.exit(1));
  });
}

main().catch((err: unknown) => {
  const known = err instanceof DemoUsageError || err instanceof PortsTakenError || err instanceof FixtureError || err instanceof MmFixtureError;
  process.stderr.write(`demo: ${(err as Error).message}\n${err instanceof DemoUsageError ? `\n${DEMO_USAGE}` : ""}`);
  process.exit(known ? 2 : 1);
});
