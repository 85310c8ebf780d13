// The crash test at benchmark scale: 100 SIGKILLs by default (the CI test does 10). Needs root (real Synapse).
//
//   node --import tsx bench/crash.ts [--kills 100] [--seed N] [--rooms 3] [--network gitter|mattermost]
//
// or through the benchmark runner as `npm run bench -- crash [options]`, which calls run(). Prints the counts
// (sent, delivered, lost, duplicated, out of order) per direction and exits non-zero on any loss or duplicate.
import { runCrashScenario, type CrashReport } from "../test/harness/crash-driver";
import { mattermostNetwork } from "../test/harness/crash-network";

interface Args {
  kills: number;
  seed: number;
  rooms: number;
}

const USAGE = "usage: bench/crash.ts [--kills N] [--seed N] [--rooms N] [--network gitter|mattermost]";

function parse(argv: string[]): Args & { network: string } {
  const args: Args = { kills: 100, seed: Math.floor(Math.random() * 2 ** 31), rooms: 3 };
  let network = "gitter";
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--network" && ["gitter", "mattermost"].includes(argv[i + 1])) {
      network = argv[++i];
      continue;
    }
    const [flag, value] = [argv[i], Number(argv[i + 1])];
    const key = flag.replace(/^--/, "");
    if (!(key in args) || !Number.isInteger(value) || value < 1) throw new Error(`${USAGE} (bad ${flag})`);
    args[key as keyof Args] = value;
    i++;
  }
  return { ...args, network };
}

function failed(report: CrashReport): boolean {
  return [report.gitterToMatrix, report.matrixToGitter].some((c) => c.lost + c.duplicated + c.outOfOrder + c.unexpected > 0);
}

/** Runs the scenario; resolves with the process exit code (0 when nothing was lost, doubled or reordered). */
export async function run(argv: string[]): Promise<number> {
  const { network, ...args } = parse(argv);
  const common = { ...args, settleMs: 300_000, log: (line: string) => console.log(line) };
  const report = network === "mattermost" ? await runCrashScenario({ ...common, network: mattermostNetwork }) : await runCrashScenario(common);
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
