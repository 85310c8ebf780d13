// Command line and environment of the local demo (`npm run demo`), and the check that its ports are free.
// Every port has a flag and an environment variable, so two demos (or a test) can run beside each other.
import { readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";

export interface DemoPorts {
  /** Synapse's client-server API. */
  homeserver: number;
  /** The Gitter emulator (REST, OAuth pages, Faye, control API). */
  gitter: number;
  /** The Mattermost emulator (REST, websocket, OAuth pages, control API), with --network mattermost. */
  mattermost: number;
  /** The bridge's appservice listener (Synapse pushes events here). */
  appservice: number;
  /** The bridge's web server (login link, OAuth callback, /health). */
  web: number;
}

export type DemoNetwork = "gitter" | "mattermost";
export const DEMO_NETWORKS: readonly DemoNetwork[] = ["gitter", "mattermost"];

export interface DemoOptions {
  /** The network the bridge serves, and whose emulator runs. */
  network: DemoNetwork;
  ports: DemoPorts;
  /** Folder holding the bridge's config, registration, database and log. */
  dir: string;
  /** Name of the Synapse instance (its data folder in the Synapse cache). */
  instance: string;
  fixture: string;
  /** Keep the emulator's world, Synapse's data and the bridge's database from one run to the next. */
  keep: boolean;
  help: boolean;
}

/** The command line or environment is wrong. */
export class DemoUsageError extends Error {}

/** A port the demo needs is in use. */
export class PortsTakenError extends Error {}

interface PortSpec {
  key: keyof DemoPorts;
  flag: string;
  env: string;
  default: number;
  what: string;
  /** Only needed when the demo runs this network. */
  network?: DemoNetwork;
}

export const PORT_SPECS: readonly PortSpec[] = [
  { key: "homeserver", flag: "--hs-port", env: "DEMO_HS_PORT", default: 8008, what: "Synapse" },
  { key: "gitter", flag: "--gitter-port", env: "DEMO_GITTER_PORT", default: 5555, what: "the Gitter emulator", network: "gitter" },
  { key: "mattermost", flag: "--mattermost-port", env: "DEMO_MATTERMOST_PORT", default: 8065, what: "the Mattermost emulator", network: "mattermost" },
  { key: "appservice", flag: "--as-port", env: "DEMO_AS_PORT", default: 9898, what: "the bridge's appservice listener" },
  { key: "web", flag: "--web-port", env: "DEMO_WEB_PORT", default: 9899, what: "the bridge's web server" },
];

const ROOT = path.resolve(__dirname, "../..");

/** The ports a demo of `network` listens on. */
export function portSpecsFor(network: DemoNetwork): PortSpec[] {
  return PORT_SPECS.filter((s) => !s.network || s.network === network);
}

const FIXTURES: Record<DemoNetwork, string> = { gitter: "fixtures/demo.yaml", mattermost: "fixtures/mattermost-demo.yaml" };

function network(text: string, source: string): DemoNetwork {
  if (!(DEMO_NETWORKS as readonly string[]).includes(text)) throw new DemoUsageError(`${source} must be ${DEMO_NETWORKS.join(" or ")}, not "${text}"`);
  return text as DemoNetwork;
}

/** Plain text, so scripts/demo.sh can print it before anything is installed. */
export const DEMO_USAGE = readFileSync(path.join(__dirname, "usage.txt"), "utf8");

function port(text: string, source: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 65535) {
    throw new DemoUsageError(`${source} must be a port number between 1 and 65535, not "${text}"`);
  }
  return Number(text);
}

function defaults(env: NodeJS.ProcessEnv): DemoOptions {
  const ports = {} as DemoPorts;
  for (const s of PORT_SPECS) ports[s.key] = env[s.env] ? port(env[s.env]!, s.env) : s.default;
  return {
    network: env.DEMO_NETWORK ? network(env.DEMO_NETWORK, "DEMO_NETWORK") : "gitter",
    ports,
    dir: path.resolve(env.DEMO_DIR || path.join(ROOT, ".demo")),
    instance: env.DEMO_INSTANCE || "demo",
    fixture: "",
    keep: env.DEMO_KEEP === "1",
    help: false,
  };
}

/** Flags win over environment variables, which win over the defaults. Throws DemoUsageError. */
export function parseDemoOptions(argv: readonly string[], env: NodeJS.ProcessEnv): DemoOptions {
  const opts = defaults(env);
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v.startsWith("--")) throw new DemoUsageError(`${flag} needs a value`);
      return v;
    };
    const spec = PORT_SPECS.find((s) => s.flag === flag);
    if (spec) opts.ports[spec.key] = port(value(), flag);
    else if (flag === "--dir") opts.dir = path.resolve(value());
    else if (flag === "--instance") opts.instance = value();
    else if (flag === "--network") opts.network = network(value(), flag);
    else if (flag === "--help" || flag === "-h") opts.help = true;
    else if (flag === "--keep" && inline === undefined) opts.keep = true;
    else throw new DemoUsageError(`unknown option ${flag}`);
  }
  if (!/^[A-Za-z0-9_-]+$/.test(opts.instance)) {
    throw new DemoUsageError(`the instance name may hold letters, digits, _ and - only, not "${opts.instance}"`);
  }
  opts.fixture = path.join(ROOT, FIXTURES[opts.network]);
  const seen = new Map<number, string>();
  for (const s of portSpecsFor(opts.network)) {
    const other = seen.get(opts.ports[s.key]);
    if (other) throw new DemoUsageError(`${s.flag} and ${other} are both ${opts.ports[s.key]}; each needs its own port`);
    seen.set(opts.ports[s.key], s.flag);
  }
  return opts;
}

function portIsFree(p: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(false));
    srv.listen(p, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

/** Rejects with a PortsTakenError naming every taken port of a demo of `network` and how to choose another. */
export async function checkPortsFree(ports: DemoPorts, network: DemoNetwork = "gitter"): Promise<void> {
  const taken: string[] = [];
  for (const s of portSpecsFor(network)) {
    if (!(await portIsFree(ports[s.key]))) {
      taken.push(`  port ${ports[s.key]} (${s.what}) is in use on 127.0.0.1: stop what holds it, or pass ${s.flag} N (or ${s.env}=N)`);
    }
  }
  if (taken.length > 0) throw new PortsTakenError(`cannot start:\n${taken.join("\n")}`);
}
