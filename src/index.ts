#!/usr/bin/env node
// Command line entry: flags, config, registration, then `start()` from the bridge, and a clean stop on SIGINT or
// SIGTERM. Exit codes: 0 stopped cleanly; 1 the bridge failed; 2 the command line, config or registration
// needs fixing, or the homeserver holds another registration (printed without a stack trace).

import path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, loadConfig, type BridgeConfig } from "./config";
import { generateRegistrationFile } from "./config/generate";
import { checkRegistration, loadRegistration } from "./config/registration";
import { isHttpUrl } from "./config/validate";
import { configureLogging, getLogger, resolveFormat } from "./util/log";
import { VERSION_TEXT } from "./version";

// The flags follow matrix-appservice-bridge's CLI (-c, -r, -u, -f), which operators of Matrix bridges know.
const USAGE = `Usage:
  gitter-bridge [-c config.yaml] [-f registration.yaml]
      Run the bridge.
  gitter-bridge --doctor [-c config.yaml] [-f registration.yaml]
      Check the setup (registration, homeserver in both directions, database, Gitter, login page) and print each
      check with OK or FAIL and a fix. Run it beside the running bridge. Exits 0 when every check passed, 1 if not.
  gitter-bridge --generate-registration --url <url> [-c config.yaml] [-f registration.yaml]
      (short: -r -u <url>) Write the appservice registration for the homeserver, with fresh tokens. --url is where
      the homeserver reaches the bridge (e.g. http://127.0.0.1:9898).

Options:
  -c, --config <file>                configuration file (default ./config.yaml)
  -f, --file <file>                  registration file to write (with -r) or read; default: appservice.registration
                                     in the config (-o, --output is the same, kept for older scripts)
  -r, --generate-registration        write the registration file and exit
  -u, --url <url>                    with -r: the URL the homeserver reaches the bridge at
  -v, --version                      print the version and exit
  -h, --help                         show this help
`;

const log = getLogger("main");

class UsageError extends Error {}

interface Flags {
  config: string;
  generate: boolean;
  doctor: boolean;
  url?: string;
  /** -f/--file (or its older name -o/--output): the registration file. */
  file?: string;
  help: boolean;
  version: boolean;
}

function parseFlags(args: string[]): Flags {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        config: { type: "string", short: "c", default: "./config.yaml" },
        "generate-registration": { type: "boolean", short: "r", default: false },
        doctor: { type: "boolean", default: false },
        url: { type: "string", short: "u" },
        file: { type: "string", short: "f" },
        output: { type: "string", short: "o" },
        help: { type: "boolean", short: "h", default: false },
        version: { type: "boolean", short: "v", default: false },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.file !== undefined && values.output !== undefined) throw new UsageError("give the registration file once: -f or -o");
  const { output, ...rest } = values;
  const flags: Flags = { ...rest, file: values.file ?? output, generate: values["generate-registration"] };
  if (flags.doctor && flags.generate) throw new UsageError("--doctor and --generate-registration do not go together");
  if (!flags.generate && flags.url !== undefined) throw new UsageError("--url only goes with --generate-registration");
  if (flags.generate && !flags.help && !(flags.url && isHttpUrl(flags.url))) {
    throw new UsageError("--generate-registration needs --url <http(s) URL the homeserver reaches the bridge at>");
  }
  return flags;
}

/** Runs until the bridge is up (then signals take over) or fails; resolves to an exit code, or null to keep running. */
async function main(args: string[]): Promise<number | null> {
  const flags = parseFlags(args);
  if (flags.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (flags.version) {
    process.stdout.write(`${VERSION_TEXT}\n`);
    return 0;
  }
  const config = loadConfig(flags.config);
  if (flags.generate) {
    process.stdout.write(generateRegistrationFile(config, { configFile: flags.config, url: flags.url!, output: flags.file }));
    return 0;
  }
  // -f names the registration the bridge and the doctor read, in place of the config's.
  if (flags.file !== undefined) config.appservice.registration = path.resolve(flags.file);
  if (flags.doctor) return doctor(config);
  return run(config, flags.config);
}

async function doctor(config: BridgeConfig): Promise<number> {
  // The report is the output; only warnings and errors of the parts it uses may join it.
  configureLogging({ level: "warn", format: resolveFormat(config.logging.format) });
  const { runDoctorCli } = require("./doctor/cli") as typeof import("./doctor/cli");
  return runDoctorCli(config, (text) => process.stdout.write(text));
}


async function run(config: BridgeConfig, configFile: string): Promise<number | null> {
  configureLogging({ level: config.logging.level, format: resolveFormat(config.logging.format) });
  const registrationFile = config.appservice.registration;
  const registration = loadRegistration(registrationFile);
  const problems = checkRegistration(config, registration);
  if (problems.length > 0) {
    process.stderr.write(
      `gitter-bridge: ${registrationFile} does not match ${configFile}:\n${problems.map((p) => `  - ${p}`).join("\n")}\n` +
        "Fix the config, or write a new registration with --generate-registration (and restart the homeserver).\n",
    );
    return 2;
  }
  // Loaded here rather than imported at the top so --generate-registration and --help never load the bridge.
  const { start } = require("./bridge") as typeof import("./bridge");
  const handle = await start(config, registration);
  stopOnSignals(handle);
  return null;
}

function stopOnSignals(handle: { stop(): Promise<void> }): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.warn("second signal while stopping: exiting now", { signal });
      process.exit(1);
    }
    stopping = true;
    log.info("stopping", { signal });
    handle.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error("the bridge did not stop cleanly", { error: err });
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== null) process.exitCode = code;
  },
  (err: unknown) => {
    // Matched by name: importing its module here would load the bridge for --help and --generate-registration too.
    const mismatch = err instanceof Error && err.name === "RegistrationMismatchError";
    if (err instanceof UsageError || err instanceof ConfigError || mismatch) {
      process.stderr.write(`gitter-bridge: ${err.message}\n${err instanceof UsageError ? `\n${USAGE}` : ""}`);
      process.exitCode = 2;
      // The homeserver is asked once the servers are up; they must not keep the process alive.
      if (mismatch) process.exit(2);
      return;
    }
    log.error("gitter-bridge failed", { error: err });
    // A half-started bridge may hold servers or timers open; they must not keep a failed process alive.
    process.exit(1);
  },
);
