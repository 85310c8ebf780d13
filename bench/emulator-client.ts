// Starts bench/emulator-proc.ts as a child process and talks to it over IPC.
import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import type { EmulatorProcConfig, EmulatorStats, Post } from "./emulator-proc";

export interface EmulatorProcess {
  url: string;
  pid: number;
  stats(): Promise<EmulatorStats>;
  /** Posts as Gitter users at `perSecond`; resolves once the last one is created. */
  post(posts: Post[], perSecond: number): Promise<void>;
  stop(): Promise<void>;
}

/** With `profileDir`, the emulator runs under --cpu-prof (written when it stops). */
export async function startEmulatorProcess(config: EmulatorProcConfig, profileDir?: string): Promise<EmulatorProcess> {
  const child: ChildProcess = fork(path.join(__dirname, "emulator-proc.ts"), [], {
    execArgv: [...(profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : []), "--import", "tsx"],
    env: { ...process.env, BENCH_EMULATOR: JSON.stringify(config) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const pending = new Map<number, { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const ready = new Promise<string>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`bench emulator exited with ${code} before it was ready`)));
    child.on("message", (m: Record<string, unknown>) => {
      if (m.type === "ready") return resolve(String(m.url));
      const waiter = pending.get(Number(m.id));
      pending.delete(Number(m.id));
      if (typeof m.error === "string") waiter?.reject(new Error(m.error));
      else waiter?.resolve(m);
    });
  });
  const ask = (req: Record<string, unknown>) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const id = ++nextId;
      pending.set(id, { resolve, reject });
      child.send({ id, ...req });
    });
  const url = await ready;
  return {
    url,
    pid: child.pid!,
    stats: async () => (await ask({ op: "stats" })).stats as EmulatorStats,
    post: async (posts, perSecond) => void (await ask({ op: "post", posts, perSecond })),
    stop: async () => {
      if (child.exitCode === null) child.disconnect();
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
