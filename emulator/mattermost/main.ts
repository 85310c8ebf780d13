// CLI: npm run emulator:mattermost -- --port 8065 [--fixture FILE] [--control] [--no-rate-limit] ...
import { eachFlag, FlagError, intFlag, valueFlag } from "../cli-flags";
import { FixtureError } from "./fixture";
import { startMattermostEmulator, type MmEmulatorOptions } from "./server";

const USAGE =
  "usage: npm run emulator:mattermost -- [--port N] [--host H] [--fixture FILE] [--control] [--no-rate-limit] " +
  "[--rate-per-sec N] [--rate-burst N] [--oauth-token-seconds N] [--oauth-redirect URL] [--public-url URL] [--state FILE]";

export function parseArgs(argv: string[]): MmEmulatorOptions {
  const o: MmEmulatorOptions = { fixture: "fixtures/mattermost-test.yaml", port: 8065 };
  eachFlag(argv, (flag, next) => {
    switch (flag) {
      case "--port": o.port = intFlag(flag, next(), 0); break;
      case "--host": o.host = valueFlag(flag, next()); break;
      case "--fixture": o.fixture = valueFlag(flag, next()); break;
      case "--control": o.control = true; break;
      case "--no-rate-limit": o.rateLimit = false; break;
      case "--rate-per-sec": o.ratePerSec = intFlag(flag, next(), 1); break;
      case "--rate-burst": o.rateBurst = intFlag(flag, next(), 0); break;
      case "--oauth-token-seconds": o.oauthTokenSeconds = intFlag(flag, next(), 1); break;
      case "--oauth-redirect": o.oauthRedirectUri = valueFlag(flag, next()); break;
      case "--public-url": o.publicUrl = valueFlag(flag, next()); break;
      case "--state": o.stateFile = valueFlag(flag, next()); break;
      case "--help": case "-h": console.log(USAGE); process.exit(0); break;
      default: throw new FlagError(`unknown flag ${flag}`);
    }
  });
  return o;
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const emu = await startMattermostEmulator(opts);
  const base = emu.state.publicUrl;
  console.log(`Mattermost emulator listening on ${emu.url}`);
  console.log(`  REST:       ${base}/api/v4`);
  console.log(`  Websocket:  ${base.replace(/^http/, "ws")}/api/v4/websocket`);
  console.log(`  OAuth:      ${base}/oauth/authorize , ${base}/oauth/access_token`);
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
