// The machine a benchmark ran on, printed with its results and kept in the result file, so figures from two
// machines are never compared unawares.
import { readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

export interface Machine {
  cpu: string;
  cores: number;
  ramGiB: number;
  kernel: string;
  node: string;
  synapse?: string;
}

/** `synapseUrl`: asks that homeserver its version (unauthenticated admin route). Never throws. */
export async function describeMachine(synapseUrl?: string): Promise<Machine> {
  const cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? "unknown";
  const machine: Machine = {
    cpu: model,
    cores: os.availableParallelism(),
    ramGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
  };
  if (synapseUrl) machine.synapse = await synapseVersion(synapseUrl);
  return machine;
}

async function synapseVersion(url: string): Promise<string | undefined> {
  try {
    const res = await fetch(`${url}/_synapse/admin/v1/server_version`);
    const body = (await res.json()) as { server_version?: string; python_version?: string };
    return body.server_version ? `Synapse ${body.server_version}${body.python_version ? ` (Python ${body.python_version})` : ""}` : undefined;
  } catch {
    return undefined;
  }
}

export function machineLines(m: Machine): string[] {
  return [
    `machine: ${m.cpu}, ${m.cores} cores, ${m.ramGiB} GiB RAM, ${m.kernel}`,
    `software: Node ${m.node}${m.synapse ? `, ${m.synapse} on SQLite` : ""}`,
  ];
}

/** Writes bench/results/<name>-<UTC date and time>.json and returns its path. */
export async function writeResult(name: string, result: unknown): Promise<string> {
  const dir = path.resolve(__dirname, "results");
  await mkdir(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-").slice(0, 19);
  const file = path.join(dir, `${name}-${stamp}.json`);
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

/** A fixed-width text table: the first row is the header. */
export function table(rows: Array<Array<string | number>>): string {
  const cells = rows.map((r) => r.map(String));
  const widths = cells[0].map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(cells[0]), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}
