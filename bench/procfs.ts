// What the kernel knows about a process: CPU time (utime + stime) and memory, read from /proc.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

let ticks: number | undefined;

/** Clock ticks per second (USER_HZ), in which /proc/<pid>/stat counts CPU time. */
function clockTicks(): number {
  ticks ??= Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;
  return ticks;
}

/** CPU seconds (user + system) the process has used so far. Throws when it is gone. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) may hold spaces; count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / clockTicks();
}

/** Resident and peak resident memory in bytes. */
export function memory(pid: number): { rss: number; peakRss: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb("VmRSS"), peakRss: kb("VmHWM") };
}

/** CPU seconds used by `pid` while `work` ran. */
export async function cpuDuring<T>(pid: number, work: () => Promise<T>): Promise<{ cpu: number; wall: number; value: T }> {
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  const value = await work();
  return { cpu: cpuSeconds(pid) - cpu0, wall: (performance.now() - t0) / 1000, value };
}

/** CPU seconds per thread name (the main thread is named after the process), user and system apart. */
export function threadCpu(pid: number): Map<string, { user: number; system: number }> {
  const out = new Map<string, { user: number; system: number }>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
    } catch {
      continue; // the thread ended meanwhile
    }
    const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const entry = out.get(name) ?? { user: 0, system: 0 };
    entry.user += Number(fields[11]) / clockTicks();
    entry.system += Number(fields[12]) / clockTicks();
    out.set(name, entry);
  }
  return out;
}

/** What each thread name used between two threadCpu readings. */
export function threadCpuDelta(
  before: Map<string, { user: number; system: number }>,
  after: Map<string, { user: number; system: number }>,
): Record<string, { user: number; system: number }> {
  const out: Record<string, { user: number; system: number }> = {};
  for (const [name, a] of after) {
    const b = before.get(name) ?? { user: 0, system: 0 };
    out[name] = { user: a.user - b.user, system: a.system - b.system };
  }
  return out;
}
