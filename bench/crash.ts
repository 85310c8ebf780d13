// The crash test at benchmark scale: 100 SIGKILLs by default (the CI test does 10). Needs root (real Synapse).
//
//   node --import tsx bench/crash.ts [--kills 100] [--seed N] [--rooms 3]
//
// or through the benchmark runner as `npm run bench -- crash [options]`, which calls run(). Prints the counts
// (sent, delivered, lost, duplicated, out of order) per direction and exits non-zero on any loss or duplicate.
import { runCrashScenario, type CrashReport } from "../test/harness/crash-driver";

interface Args {
  kills: number;
  seed: number;
  rooms: number;
}

function parse(argv: string[]): Args {
  const args: Args = { kills: 100, seed: Math.floor(Math.random() * 2 ** 31), rooms: 3 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], Number(argv[i + 1])];
    const key = flag.replace(/^--/, "");
    if (!(key in args) || !Number.isInteger(value) || value < 1) throw new Error(`usage: bench/crash.ts [--kills N] [--seed N] [--rooms N] (bad ${flag})`);
    args[key as keyof Args] = value;
    i++;
  }
  return args;
}

function failed(report: CrashReport): boolean {
  return [report.gitterToMatrix, report.matrixToGitter].some((c) => c.lost + c.duplicated + c.outOfOrder + c.unexpected > 0);
}

/** Runs the scenario; resolves with the process exit code (0 when nothing was lost, doubled or reordered). */
export async function run(argv: string[]): Promise<number> {
  const args = parse(argv);
  const report = await runCrashScenario({ ...args, settleMs: 300_000, log: (line) => console.log(line) });
  if (!failed(report)) return 0;
  for (const p of [...report.gitterToMatrix.problems, ...report.matrixToGitter.problems]) console.log(`  ${p}`);
  console.log(`FAILED (seed ${report.seed})`);
  return 1;
}

if (require.main === module) {
  run(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: Error) => {
      console.error(err);
      process.exit(2);
    },
  );
}
