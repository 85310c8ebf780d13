// CLI: npm run emulator -- --port 5555 --fixture fixtures/demo.yaml [--control] [--oauth-redirect URL] [--state FILE] ...
import { eachFlag, FlagError, intFlag, urlFlag, valueFlag } from "./cli-flags";
import { FixtureError } from "./fixture";
import { startEmulator, type EmulatorOptions } from "./server";

const USAGE =
  "usage: npm run emulator -- [--port N] [--host H] [--fixture FILE] [--control] [--heartbeat-ms N] " +
  "[--rate-limit N] [--edit-window-seconds N] [--public-url URL] [--oauth-redirect URL] [--state FILE]";

export function parseArgs(argv: string[]): EmulatorOptions {
  const opts: EmulatorOptions = { fixture: "fixtures/demo.yaml", port: 5555 };
  eachFlag(argv, (flag, next) => {
    switch (flag) {
      case "--port": opts.port = intFlag(flag, next(), 0); break;
      case "--host": opts.host = valueFlag(flag, next()); break;
      case "--fixture": opts.fixture = valueFlag(flag, next()); break;
      case "--control": opts.control = true; break;
      case "--heartbeat-ms": opts.heartbeatMs = intFlag(flag, next(), 1); break;
      case "--rate-limit": opts.rateLimit = intFlag(flag, next(), 0); break;
      case "--edit-window-seconds": opts.editWindowSeconds = intFlag(flag, next(), 0); break;
      case "--public-url": opts.publicUrl = valueFlag(flag, next()); break;
      case "--oauth-redirect": opts.oauthRedirectUri = urlFlag(flag, next()); break;
      case "--state": opts.stateFile = valueFlag(flag, next()); break;
      case "--help": case "-h": console.log(USAGE); process.exit(0); break;
      default: throw new FlagError(`unknown flag ${flag}`);
    }
  });
  return opts;
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const emu = await startEmulator(opts);
  const base = emu.state.publicUrl;
  console.log(`Gitter emulator listening on ${emu.url}`);
  console.log(`  REST:       ${base}/v1  (also ${base}/api/v1)`);
  console.log(`  Faye:       ${base}/bayeux  (legacy ${base}/faye)`);
  console.log(`  Stream:     ${base}/v1/rooms/:roomId/chatMessages`);
  console.log(`  OAuth:      ${base}/login/oauth/authorize , ${base}/login/oauth/token`);
  console.log(opts.control ? `  Control:    ${base}/_emulator/` : "  Control:    off (start with --control)");
  const shutdown = (signal: string) => {
    console.log(`${signal}: stopping`);
    void emu.stop().then(() => process.exit(0));
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
}

if (require.main === module) {
  main().catch((err: unknown) => {
    if (err instanceof FlagError) console.error(`error: ${err.message}\n${USAGE}`);
    else if (err instanceof FixtureError) console.error(`error: ${err.message}`);
    else console.error(`error: ${(err as Error).message}`);
    process.exit(2);
  });
}
