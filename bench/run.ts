// The benchmark runner: `npm run bench -- <name> [options]`. Each benchmark module exports run(argv) and
// resolves to the process exit code. Benchmarks are bounded in time and talk only to 127.0.0.1.
import * as crash from "./crash";
import * as scale from "./scale-run";

type Bench = { run(argv: string[]): Promise<number> };

const BENCHMARKS: Record<string, { about: string; load: () => Promise<Bench> }> = {
  crash: { about: "the crash test at scale: 100 SIGKILLs, counts per direction (needs root)", load: async () => crash },
  scale: { about: "users x 20 rooms against a no-op homeserver: start, restart, CPU per message, memory", load: async () => scale },
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const bench = name ? BENCHMARKS[name] : undefined;
  if (!bench) {
    const list = Object.entries(BENCHMARKS).map(([n, b]) => `  ${n.padEnd(8)} ${b.about}`);
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
