// The whole local stack for e2e tests, the demo and benchmarks: the Gitter emulator (in this process), a
// real Synapse, and the bridge as a child process started exactly as an operator would start it.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import YAML from "yaml";
import { freePort } from "./ports";

const ROOT = path.resolve(__dirname, "../..");

export interface BridgeFiles {
  dir: string;
  configPath: string;
  registrationPath: string;
  asPort: number;
  webPort: number;
}

/** The network the bridge serves: Gitter's emulator and OAuth app, or a Mattermost server (network: mattermost). */
export type NetworkInput =
  | { gitterUrl: string; clientId: string; clientSecret: string }
  | { mattermostUrl: string; mattermostOAuth?: { clientId: string; clientSecret: string } };

export type BridgeConfigInput = NetworkInput & {
  dir: string;
  homeserverUrl: string;
  domain: string;
  asPort?: number;
  webPort?: number;
  database?: string;
  logLevel?: "debug" | "info" | "warn" | "error";
  permissions?: Record<string, string>;
  maxPortalMembers?: number;
  /** Gives /metrics a private listener on this port (metrics.port). */
  metricsPort?: number;
};

function networkSection(input: NetworkInput): Record<string, unknown> {
  if ("mattermostUrl" in input) {
    const oauth = input.mattermostOAuth ? { oauth: input.mattermostOAuth } : {};
    return { network: "mattermost", mattermost: { url: input.mattermostUrl, ...oauth } };
  }
  return {
    gitter: {
      apiUrl: input.gitterUrl,
      realtimeUrl: `${input.gitterUrl}/bayeux`,
      oauthUrl: input.gitterUrl,
      oauth: { clientId: input.clientId, clientSecret: input.clientSecret },
    },
  };
}

/** Writes config.yaml (and, through the CLI, registration.yaml) for a bridge living in `dir`. */
export async function writeBridgeFiles(input: BridgeConfigInput): Promise<BridgeFiles> {
  await mkdir(input.dir, { recursive: true });
  const asPort = input.asPort ?? (await freePort());
  const webPort = input.webPort ?? (await freePort());
  const config = {
    homeserver: { url: input.homeserverUrl, domain: input.domain },
    appservice: { bind: "127.0.0.1", port: asPort, registration: "./registration.yaml" },
    bridge: {
      permissions: input.permissions ?? { [input.domain]: "user" },
      ...(input.maxPortalMembers !== undefined ? { maxPortalMembers: input.maxPortalMembers } : {}),
    },
    ...networkSection(input),
    web: { bind: "127.0.0.1", port: webPort, publicUrl: `http://127.0.0.1:${webPort}` },
    ...(input.metricsPort !== undefined ? { metrics: { port: input.metricsPort } } : {}),
    database: input.database ?? "sqlite:./data/bridge.db",
    encryption: { keyFile: "./data/bridge.key" },
    logging: { level: input.logLevel ?? "info", format: "json" },
  };
  const configPath = path.join(input.dir, "config.yaml");
  await writeFile(configPath, YAML.stringify(config));
  const registrationPath = path.join(input.dir, "registration.yaml");
  await runCli(["--config", configPath, "--generate-registration", "--url", `http://127.0.0.1:${asPort}`, "--output", registrationPath]);
  return { dir: input.dir, configPath, registrationPath, asPort, webPort };
}

function runCli(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "src/index.ts"), ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    p.stdout.on("data", (c) => (out += c));
    p.stderr.on("data", (c) => (out += c));
    p.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`gitter-bridge ${args.join(" ")} exited ${code}: ${out}`))));
  });
}

export interface BridgeProcess {
  proc: ChildProcess;
  /** Every line the bridge printed so far (JSON log lines). */
  lines: string[];
  waitForLine(re: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGTERM and wait for exit. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
}

export interface StartBridgeOptions {
  /**
   * Run the bridge in its own process group, so a Ctrl-C on the terminal reaches only the parent, which then
   * stops the bridge itself (the demo does this: a bridge that saw the Ctrl-C too would take the parent's
   * SIGTERM as a second signal and exit without stopping cleanly).
   */
  detached?: boolean;
  /** Options for node itself (e.g. --cpu-prof, which NODE_OPTIONS does not accept). */
  nodeArgs?: string[];
  /** A compiled build to run (e.g. dist/src/index.js, as the Docker image does) instead of the sources through tsx. */
  entry?: string;
}

export function startBridge(files: BridgeFiles, env: Record<string, string> = {}, opts: StartBridgeOptions = {}): BridgeProcess {
  const program = opts.entry ? [opts.entry] : ["--import", "tsx", path.join(ROOT, "src/index.ts")];
  const proc = spawn(process.execPath, [...(opts.nodeArgs ?? []), ...program, "--config", files.configPath], {
    cwd: ROOT, // relative paths in the config resolve against its own folder
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: opts.detached ?? false,
  });
  const lines: string[] = [];
  const waiters: Array<{ re: RegExp; resolve: (l: string) => void }> = [];
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n").filter(Boolean)) {
      lines.push(line);
      if (process.env.BRIDGE_LOG) process.stderr.write(`[bridge] ${line}\n`);
      for (const w of [...waiters]) if (w.re.test(line)) (waiters.splice(waiters.indexOf(w), 1), w.resolve(line));
    }
  };
  proc.stdout!.on("data", onData);
  proc.stderr!.on("data", onData);
  const exited = new Promise<number | null>((r) => proc.on("exit", (code) => r(code)));
  return {
    proc,
    lines,
    waitForLine: (re, timeoutMs = 30_000) => {
      const found = lines.find((l) => re.test(l));
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`bridge never printed ${re}; last lines:\n${lines.slice(-15).join("\n")}`)), timeoutMs);
        waiters.push({ re, resolve: (l) => (clearTimeout(t), resolve(l)) });
      });
    },
    stop: async () => {
      if (proc.exitCode === null) proc.kill("SIGTERM");
      return exited;
    },
    kill: async () => {
      if (proc.exitCode === null) proc.kill("SIGKILL");
      await exited;
    },
  };
}

/** Polls `probe` until it returns a value (not undefined/false), or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}
