// A Matrix client's /sync long-poll, as tight as a client makes it: timeout 30 s, a filter naming only the
// rooms of interest, and the next request sent as soon as a response is read. It notes when each message
// body was first seen (performance.now()), which both benchmarks on real Synapse read.
import { countUntil } from "./synapse-stack";

const FILTER_LIMIT = 1000;

type SyncEvent = { type: string; content?: { body?: unknown } };
interface SyncResponse {
  next_batch: string;
  rooms?: { join?: Record<string, { timeline?: { events?: SyncEvent[]; limited?: boolean } }> };
}

export class SyncWatch {
  /** Message body -> performance.now() when the /sync response holding it was read. */
  readonly seenAt = new Map<string, number>();
  /** Incremental syncs whose timeline was cut short (more than the filter's limit at once): events were skipped. */
  limited = 0;
  private since: string | undefined;
  private running = false;
  private loop: Promise<void> | null = null;
  private readonly waiters = new Set<(body: string, at: number) => void>();
  private readonly filter: string;

  constructor(
    private readonly url: string,
    private readonly token: string,
    rooms: string[],
  ) {
    this.filter = JSON.stringify({
      room: { rooms, timeline: { limit: FILTER_LIMIT, types: ["m.room.message"] }, state: { types: [] }, ephemeral: { types: [] }, account_data: { types: [] } },
      presence: { types: [] },
      account_data: { types: [] },
    });
  }

  /** Resolves once the first (immediate) sync is done, so later messages count as new. */
  async start(): Promise<void> {
    this.running = true;
    await this.once(0);
    this.loop = (async () => {
      while (this.running) await this.once(30_000).catch(() => new Promise((r) => setTimeout(r, 200)));
    })();
  }

  /** Stops after the request in flight (up to 30 s when nothing happens: callers need not await it). */
  stop(): Promise<void> {
    this.running = false;
    return this.loop ?? Promise.resolve();
  }

  /** Resolves with the time `body` was seen; rejects after `timeoutMs`. */
  waitFor(body: string, timeoutMs = 30_000): Promise<number> {
    return countUntil(this.seenAt, this.waiters, (b) => b === body, 1, timeoutMs, `${body} in /sync`);
  }

  /** Resolves with the time the last of `count` bodies starting with `prefix` was seen. */
  waitForCount(prefix: string, count: number, timeoutMs: number): Promise<number> {
    return countUntil(this.seenAt, this.waiters, (b) => b.startsWith(prefix), count, timeoutMs, `${prefix}* in /sync`);
  }

  private async once(timeout: number): Promise<void> {
    const qs = new URLSearchParams({ timeout: String(timeout), filter: this.filter });
    const incremental = this.since !== undefined;
    if (this.since) qs.set("since", this.since);
    const res = await fetch(`${this.url}/_matrix/client/v3/sync?${qs}`, { headers: { authorization: `Bearer ${this.token}` } });
    if (!res.ok) throw new Error(`/sync: ${res.status}`);
    const body = (await res.json()) as SyncResponse;
    const at = performance.now();
    this.since = body.next_batch;
    for (const room of Object.values(body.rooms?.join ?? {})) {
      if (room.timeline?.limited && incremental) this.limited++;
      for (const e of room.timeline?.events ?? []) {
        const text = e.content?.body;
        if (e.type !== "m.room.message" || typeof text !== "string" || this.seenAt.has(text)) continue;
        this.seenAt.set(text, at);
        for (const w of [...this.waiters]) w(text, at);
      }
    }
  }
}
