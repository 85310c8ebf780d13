// The Gitter emulator in its own process for the benchmark, so its CPU is not the bridge's or the benchmark's.
// Started by emulator-client.ts with the layout in BENCH_EMULATOR (JSON); talks over the IPC channel:
//   -> {type:"ready", url}                once listening
//   <- {id, op:"stats"}                   -> {id, stats}: realtime clients, open connections, messages
//   <- {id, op:"post", posts, perSecond}  -> {id, done}: posts [{user, room, text}] at the given pace
import type { Server } from "node:http";
import { startEmulator, type RunningEmulator } from "../emulator/server";
import { buildFixture, layout, type LayoutOptions } from "./layout";

export interface EmulatorProcConfig extends LayoutOptions {
  /** Requests per 60 s per (user, client), as Gitter's 100 unless a scenario needs more. */
  rateLimit: number;
}

export interface EmulatorStats {
  fayeClients: number;
  /** Users holding at least one Faye client. */
  fayeUsers: number;
  maxFayeClientsPerUser: number;
  /** Open TCP connections to the emulator's HTTP server (REST + Faye). */
  connections: number;
  /** Messages created since start. */
  messages: number;
}

export interface Post {
  /** Username of the author. */
  user: string;
  /** Room id. */
  room: string;
  text: string;
}

type Request = { id: number; op: "stats" } | { id: number; op: "post"; posts: Post[]; perSecond: number };

function connections(server: Server): Promise<number> {
  return new Promise((resolve) => server.getConnections((_err, n) => resolve(n ?? 0)));
}

async function stats(emu: RunningEmulator, created: () => number): Promise<EmulatorStats> {
  const perUser = emu.fayeClientsPerUser();
  let total = 0;
  let max = 0;
  for (const n of perUser.values()) {
    total += n;
    max = Math.max(max, n);
  }
  return { fayeClients: total, fayeUsers: perUser.size, maxFayeClientsPerUser: max, connections: await connections(emu.server), messages: created() };
}

/** Posts at a steady pace (in 10 ms slices), as Gitter users would. */
async function post(emu: RunningEmulator, posts: Post[], perSecond: number): Promise<void> {
  const perSlice = Math.max(1, Math.round(perSecond / 100));
  const started = Date.now();
  for (let i = 0; i < posts.length; i += perSlice) {
    for (const p of posts.slice(i, i + perSlice)) {
      const user = emu.state.findUserByName(p.user);
      if (!user) throw new Error(`no user ${p.user}`);
      emu.state.postMessage(user.id, p.room, { text: p.text });
    }
    const due = started + ((i + perSlice) / perSecond) * 1000;
    await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
  }
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env.BENCH_EMULATOR ?? "{}") as EmulatorProcConfig;
  const emu = await startEmulator({ fixture: buildFixture(config), control: true, rateLimit: config.rateLimit });
  let created = 0;
  emu.state.on("live", (e: { kind: string; operation?: string }) => {
    if (e.kind === "chat" && e.operation === "create") created++;
  });
  for (let i = 0; i < config.users; i++) emu.state.rooms.openOneToOne(layout.userId(i), layout.peerId(i), layout.dmRoomId(i));
  process.on("message", (req: Request) => {
    const work = req.op === "stats" ? stats(emu, () => created).then((s) => ({ stats: s })) : post(emu, req.posts, req.perSecond).then(() => ({ done: true }));
    work.then(
      (out) => process.send!({ id: req.id, ...out }),
      (err: Error) => process.send!({ id: req.id, error: err.message }),
    );
  });
  process.on("disconnect", () => void emu.stop().then(() => process.exit(0)));
  process.send!({ type: "ready", url: emu.url });
}

main().catch((err: unknown) => {
  console.error("bench emulator failed:", err);
  process.exit(1);
});
