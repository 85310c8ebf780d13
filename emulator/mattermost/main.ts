// CLI: npm run emulator:mattermost -- --port 8065 [--fixture FILE] [--control] [--no-rate-limit] ...
import { FixtureError } from "./fixture";
import { startMattermostEmulator, type MmEmulatorOptions } from "./server";

const USAGE =
  "usage: npm run emulator:mattermost -- [--port N] [--host H] [--fixture FILE] [--control] [--no-rate-limit] " +
  "[--rate-per-sec N] [--rate-burst N] [--oauth-token-seconds N] [--oauth-redirect URL] [--public-url URL]";

class FlagError extends Error {}

function int(flag: string, v: string | undefined, min: number): number {
  if (v === undefined || !/^\d+$/.test(v) || parseInt(v, 10) < min) throw new FlagError(`${flag} needs a whole number >= ${min}`);
  return parseInt(v, 10);
}

function value(flag: string, v: string | undefined): string {
  if (v === undefined || v.startsWith("--")) throw new FlagError(`${flag} needs a value`);
  return v;
}

export function parseArgs(argv: string[]): MmEmulatorOptions {
  const o: MmEmulatorOptions = { fixture: "fixtures/mattermost-test.yaml", port: 8065 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const next = () => (inline !== undefined ? inline : argv[++i]);
    switch (flag) {
      case "--port": o.port = int(flag, next(), 0); break;
      case "--host": o.host = value(flag, next()); break;
      case "--fixture": o.fixture = value(flag, next()); break;
      case "--control": o.control = true; break;
      case "--no-rate-limit": o.rateLimit = false; break;
      case "--rate-per-sec": o.ratePerSec = int(flag, next(), 1); break;
      case "--rate-burst": o.rateBurst = int(flag, next(), 0); break;
      case "--oauth-token-seconds": o.oauthTokenSeconds = int(flag, next(), 1); break;
      case "--oauth-redirect": o.oauthRedirectUri = value(flag, next()); break;
      case "--public-url": o.publicUrl = value(flag, next()); break;
      case "--help": case "-h": console.log(USAGE); process.exit(0); break;
      default: throw new FlagError(`unknown flag ${flag}`);
    }
  }
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
