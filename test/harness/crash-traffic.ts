// Two-way traffic for the crash test, and reading both sides back. Gitter people post through the emulator's
// control API (the emulator never goes down; on another network, its people through its emulator's, see
// crash-network.ts); the Matrix user sends in their portals through Synapse, each
// message with its own transaction id, retried with that same id, so the test itself never sends twice.
// Every text is unique and tagged with the run id, the direction and the room.
import type { CrashStack, NetworkDriver } from "./crash-network";
import type { MatrixUser } from "./matrix-user";

export interface TrafficOptions {
  stack: Pick<CrashStack, "users">;
  /** The network's side: its people posting, what the user's account posted there. */
  network: NetworkDriver;
  /** The Matrix user (localpart) whose portals are used. */
  user: string;
  /** That user's Gitter username. */
  gitterUser: string;
  /** Gitter room uris, each with a portal of `user`. */
  rooms: string[];
  /** Gitter usernames that post from the Gitter side. */
  posters: string[];
  random: () => number;
  runId: string;
  /** Chance that the next message goes Gitter -> Matrix (else Matrix -> Gitter). */
  gitterShare?: number;
  /** Pause between two messages, in ms (a random value within). */
  gapMs?: [number, number];
}

export interface Sides {
  /** Per room uri, in order. */
  g2mSent: Map<string, string[]>;
  g2mArrived: Map<string, string[]>;
  m2gSent: Map<string, string[]>;
  m2gArrived: Map<string, string[]>;
  /** Gitter -> Matrix texts found back on Gitter, Matrix -> Gitter texts found in Matrix from someone else. */
  g2mStrays: string[];
  m2gStrays: string[];
}

const enc = encodeURIComponent;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Traffic {
  readonly g2mSent = new Map<string, string[]>();
  readonly m2gSent = new Map<string, string[]>();
  private running = false;
  private loop: Promise<void> | null = null;
  private matrixPaused = false;
  /** The Matrix message being sent, if any; settles (never rejects) once Synapse accepted it or it was given up. */
  private matrixSending: Promise<void> | null = null;
  private counter = 0;

  constructor(private readonly opts: TrafficOptions) {
    for (const room of opts.rooms) {
      this.g2mSent.set(room, []);
      this.m2gSent.set(room, []);
    }
  }

  private get matrix(): MatrixUser {
    return this.opts.stack.users.get(this.opts.user)!.matrix;
  }

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the message in flight; resolves once it is recorded. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /**
   * While paused (Synapse restarting), only Gitter people post. Pausing resolves once the Matrix message being sent,
   * if one is, has been accepted by Synapse: after that, no Matrix message is on its way into Synapse.
   */
  async pauseMatrix(paused: boolean): Promise<void> {
    this.matrixPaused = paused;
    if (paused) await this.matrixSending;
  }

  /**
   * Waits until every message sent from Matrix so far is on Gitter, polling; false when `timeoutMs` passed first.
   * Once they all are, the homeserver has handed each of them to the bridge.
   */
  async matrixBridged(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let all = true;
      for (const [room, texts] of this.m2gSent) {
        const onGitter = new Set((await this.gitterSide(room)).mine);
        all &&= texts.every((t) => onGitter.has(t));
      }
      if (all) return true;
      if (Date.now() > deadline) return false;
      await sleep(250);
    }
  }

  private async run(): Promise<void> {
    const [lo, hi] = this.opts.gapMs ?? [100, 500];
    while (this.running) {
      const r = this.opts.random;
      const room = this.opts.rooms[Math.floor(r() * this.opts.rooms.length)];
      const n = ++this.counter;
      if (this.matrixPaused || r() < (this.opts.gitterShare ?? 0.55)) await this.fromGitter(room, n);
      else await this.sendFromMatrix(room, n);
      await sleep(lo + r() * (hi - lo));
    }
  }

  private async fromGitter(room: string, n: number): Promise<void> {
    const poster = this.opts.posters[Math.floor(this.opts.random() * this.opts.posters.length)];
    const text = `g2m-${this.opts.runId}-${room}-${n}`;
    await this.opts.network.postAs(poster, room, text);
    this.g2mSent.get(room)!.push(text);
  }

  /** fromMatrix, tracked so that pauseMatrix can wait for it. */
  private async sendFromMatrix(room: string, n: number): Promise<void> {
    const sending = this.fromMatrix(room, n);
    this.matrixSending = sending.then(
      () => undefined,
      () => undefined,
    );
    try {
      await sending;
    } finally {
      this.matrixSending = null;
    }
  }

  private async fromMatrix(room: string, n: number): Promise<void> {
    const roomId = this.opts.stack.users.get(this.opts.user)!.portals.get(room)!;
    const text = `m2g-${this.opts.runId}-${room}-${n}`;
    const path = `/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/${enc(`crash-${this.opts.runId}-${n}`)}`;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.matrix.client.doRequest("PUT", path, null, { msgtype: "m.text", body: text });
        break;
      } catch (err) {
        if (attempt >= 120) throw err;
        await sleep(500);
      }
    }
    this.m2gSent.get(room)!.push(text);
  }

  /** Reads both sides: Gitter history from the emulator, each portal's whole timeline from Synapse. */
  async collect(): Promise<Sides> {
    const { stack, user, rooms, runId } = this.opts;
    const bridged = stack.users.get(user)!;
    const sides: Sides = { g2mSent: this.g2mSent, m2gSent: this.m2gSent, g2mArrived: new Map(), m2gArrived: new Map(), g2mStrays: [], m2gStrays: [] };
    for (const room of rooms) {
      const onGitter = await this.gitterSide(room);
      sides.m2gArrived.set(room, onGitter.mine);
      sides.g2mStrays.push(...onGitter.strays);
      const inMatrix = await roomMessages(bridged.matrix, bridged.portals.get(room)!);
      const others = inMatrix.filter((m) => m.sender !== bridged.matrix.userId);
      sides.g2mArrived.set(room, others.map((m) => m.body).filter((b) => b.startsWith(`g2m-${runId}-`)));
      sides.m2gStrays.push(...others.map((m) => m.body).filter((b) => b.startsWith(`m2g-${runId}-`)));
    }
    return sides;
  }

  /**
   * This run's texts the Matrix user's Gitter account posted in a room, in the order Gitter got them: those written
   * in Matrix, and any written by Gitter people (copies echoed back, which must not exist).
   */
  private async gitterSide(room: string): Promise<{ mine: string[]; strays: string[] }> {
    const { network, runId, gitterUser } = this.opts;
    const texts = await network.postedBy(gitterUser, room);
    return { mine: texts.filter((t) => t.startsWith(`m2g-${runId}-`)), strays: texts.filter((t) => t.startsWith(`g2m-${runId}-`)) };
  }
}

type TimelineEvent = { type: string; sender: string; content: { body?: unknown } };

/** Every m.room.message of a room, oldest first, paginating /messages (sync could skip a gap). */
export async function roomMessages(user: MatrixUser, roomId: string): Promise<Array<{ sender: string; body: string }>> {
  const out: Array<{ sender: string; body: string }> = [];
  let from: string | undefined;
  for (;;) {
    const qs: Record<string, string | number> = { dir: "b", limit: 500 };
    if (from) qs.from = from;
    const res = (await user.client.doRequest("GET", `/_matrix/client/v3/rooms/${enc(roomId)}/messages`, qs)) as { chunk: TimelineEvent[]; end?: string };
    for (const e of res.chunk) if (e.type === "m.room.message") out.push({ sender: e.sender, body: String(e.content.body ?? "") });
    if (!res.end || res.chunk.length === 0) break;
    from = res.end;
  }
  return out.reverse();
}
