// The options of `npm run bench -- synapse-cost` (see synapse-cost.ts), parsed and checked before anything starts.
import { BENCH_NETWORKS, type BenchNetwork } from "./bench-networks";

export interface SynapseCostArgs {
  base: number;
  scales: number[];
  rounds: number;
  rooms: number;
  posters: number;
  /** Longest quiet window measured; a longer active window uses the idle rate measured over this much. */
  idleCap: number;
  profile: boolean;
  /** sqlite.synchronous levels to compare; empty: the bridge's config as it is. */
  synchronous: string[];
  /** The networks to measure, one after the other in this order, each on a stack of its own. */
  networks: BenchNetwork[];
}

const isNetwork = (n: string): n is BenchNetwork => (BENCH_NETWORKS as readonly string[]).includes(n);

/** Throws an Error naming the option at fault. */
export function parseSynapseCostArgs(argv: string[]): SynapseCostArgs {
  const args: SynapseCostArgs = {
    base: 50, scales: [1, 4, 16], rounds: 3, rooms: 4, posters: 4, idleCap: 10, profile: false, synchronous: [], networks: ["gitter"],
  };
  const numeric = new Set(["base", "rounds", "rooms", "posters", "idleCap"]);
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, "");
    if (key === "profile") {
      args.profile = true;
      continue;
    }
    const value = argv[++i] ?? "";
    if (key === "scales") args.scales = value.split(",").map(Number);
    else if (key === "synchronous") args.synchronous = value.split(",");
    else if (key === "network") args.networks = networks(value);
    else if (numeric.has(key)) (args as unknown as Record<string, number>)[key] = Number(value);
    else throw new Error(`unknown option ${argv[i - 1]}`);
  }
  const numbers = [args.base, args.rounds, args.rooms, args.posters, args.idleCap, ...args.scales];
  if (!numbers.every((n) => Number.isInteger(n) && n > 0)) throw new Error("options take whole numbers above 0");
  if (!args.synchronous.every((l) => l === "full" || l === "normal")) throw new Error("--synchronous takes full and/or normal");
  // Each restart starts a new profile file, and only one is read.
  if (args.profile && args.synchronous.length > 0) throw new Error("--profile and --synchronous do not go together");
  return args;
}

function networks(value: string): BenchNetwork[] {
  const names = value.split(",");
  const bad = names.filter((n) => !isNetwork(n));
  if (bad.length > 0) {
    throw new Error(`--network takes ${BENCH_NETWORKS.join(" and/or ")} (comma-separated), not "${bad.join(",")}"`);
  }
  const unique = [...new Set(names)];
  return unique.filter(isNetwork);
}
