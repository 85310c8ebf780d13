// The benchmark runner: `npm run bench -- <name> [options]`. Each benchmark module exports run(argv) and
// resolves to the process exit code. Benchmarks are bounded in time and talk only to 127.0.0.1.
import * as commits from "./commits";
import * as crash from "./crash";
import * as scale from "./scale-run";
import * as latency from "./latency";
import * as messageCost from "./message-cost";
import * as synapseCost from "./synapse-cost";

type Bench = { run(argv: string[]): Promise<number> };

const BENCHMARKS: Record<string, { about: string; load: () => Promise<Bench> }> = {
  commits: { about: "per-commit cost of the inbox write with sqlite.synchronous full and normal (no root)", load: async () => commits },
  crash: { about: "the crash test at scale: 100 SIGKILLs, counts per direction; --network mattermost (needs root)", load: async () => crash },
  scale: { about: "users x 20 rooms against a no-op homeserver: start, restart, CPU per message, memory", load: async () => scale },
  "synapse-cost": { about: "bridge and Synapse CPU per message, both directions, 1x/4x/16x; --network gitter,mattermost (needs root)", load: async () => synapseCost },
  "message-cost": { about: "bridge CPU per message each way, Gitter and Mattermost, against the homeserver stub (no root)", load: async () => messageCost },
  latency: { about: "Gitter -> Matrix /sync latency against a message sent straight to Synapse (needs root)", load: async () => latency },
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const bench = name ? BENCHMARKS[name] : undefined;
  if (!bench) {
    const list = Object.entries(BENCHMARKS).map(([n, b]) => `  ${n.padEnd(13)} ${b.about}`);
    process.stderr.write(`usage: npm run bench -- <name> [options]\n${list.join("\n")}\n`);
    return name ? 2 : 0;
  }
  return (await bench.load()).run(rest);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`benchmark failed: ${err.message}\n`);
    process.exit(1);
  },
);
