// A Matrix user for e2e tests: a real client library for requests, and a /sync loop that records what the
// user sees (messages, invites with their stripped state, own membership), with waits on top.
import type { MatrixClient } from "matrix-bot-sdk";

export interface SeenMessage {
  eventId: string;
  sender: string;
  msgtype: string;
  body: string;
  formatted?: string;
  content: Record<string, unknown>;
}

export interface SeenInvite {
  roomId: string;
  name?: string;
  isDirect: boolean;
  inviter: string;
}

type SyncEvent = { type: string; sender: string; event_id: string; state_key?: string; content: Record<string, unknown> };
interface SyncRooms {
  join?: Record<string, { timeline?: { events?: SyncEvent[] } }>;
  invite?: Record<string, { invite_state?: { events?: SyncEvent[] } }>;
  leave?: Record<string, { timeline?: { events?: SyncEvent[] } }>;
}

const FILTER = JSON.stringify({ room: { timeline: { limit: 500 } }, presence: { types: [] } });

export class MatrixUser {
  private since: string | undefined;
  private running = false;
  private loop: Promise<void> | null = null;
  private readonly halt = new AbortController();
  private readonly timeline = new Map<string, SeenMessage[]>();
  private readonly memberships = new Map<string, string>();
  readonly invites: SeenInvite[] = [];
  /** The latest invite to each room (a room may invite the user again after they left). */
  readonly lastInvite = new Map<string, Pick<SeenInvite, "isDirect" | "inviter">>();
  /** The reason given with the user's latest membership change in each room (a kick's, say), when there was one. */
  readonly membershipReasons = new Map<string, string>();

  constructor(
    readonly client: MatrixClient,
    readonly userId: string,
  ) {}

  async start(): Promise<void> {
    this.running = true;
    await this.syncOnce(0);
    this.loop = (async () => {
      while (this.running) await this.syncOnce(2000).catch(() => (this.running ? new Promise((r) => setTimeout(r, 500)) : undefined));
    })();
  }

  /** Ends the sync loop, cutting short the long poll under way (a stack's teardown waited up to 2 s for it). */
  async stop(): Promise<void> {
    this.running = false;
    this.halt.abort();
    await this.loop;
  }

  messages(roomId: string): SeenMessage[] {
    return this.timeline.get(roomId) ?? [];
  }

  membership(roomId: string): string | undefined {
    return this.memberships.get(roomId);
  }

  waitForMessage(roomId: string, sender: string, re: RegExp, timeoutMs = 30_000): Promise<SeenMessage> {
    return this.waitFor(() => this.messages(roomId).find((m) => m.sender === sender && re.test(m.body)), `a message ${re} from ${sender} in ${roomId}`, timeoutMs);
  }

  waitForInvite(pred: (i: SeenInvite) => boolean, timeoutMs = 30_000): Promise<string> {
    return this.waitFor(() => this.invites.find(pred)?.roomId, "an invite", timeoutMs);
  }

  waitForMembership(roomId: string, membership: string, timeoutMs = 30_000): Promise<string> {
    return this.waitFor(() => (this.memberships.get(roomId) === membership ? membership : undefined), `membership ${membership} in ${roomId}`, timeoutMs);
  }

  private async waitFor<T>(probe: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = probe();
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error(`${this.userId} timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** One /sync, by fetch rather than the client library, whose requests cannot be aborted. */
  private async syncOnce(timeout: number): Promise<void> {
    const url = new URL("/_matrix/client/v3/sync", this.client.homeserverUrl);
    url.searchParams.set("timeout", String(timeout));
    url.searchParams.set("filter", FILTER);
    if (this.since) url.searchParams.set("since", this.since);
    // Given up after 60 s, as the client library's requests are, so a connection Synapse never answers is tried again.
    const signal = AbortSignal.any([this.halt.signal, AbortSignal.timeout(60_000)]);
    const answer = await fetch(url, { headers: { authorization: `Bearer ${this.client.accessToken}` }, signal });
    if (!answer.ok) throw new Error(`${this.userId}: /sync answered ${answer.status}: ${await answer.text()}`);
    const res = (await answer.json()) as { next_batch: string; rooms?: SyncRooms };
    this.since = res.next_batch;
    this.absorb(res.rooms ?? {});
  }

  private absorb(rooms: SyncRooms): void {
    for (const [roomId, room] of Object.entries(rooms.join ?? {})) {
      this.memberships.set(roomId, "join");
      this.absorbTimeline(roomId, room.timeline?.events ?? []);
    }
    for (const [roomId, room] of Object.entries(rooms.leave ?? {})) {
      this.absorbTimeline(roomId, room.timeline?.events ?? []);
      this.memberships.set(roomId, "leave");
    }
    for (const [roomId, room] of Object.entries(rooms.invite ?? {})) {
      // An invite back to a room seen before shows in the membership; `invites` keeps the first one.
      this.memberships.set(roomId, "invite");
      const events = room.invite_state?.events ?? [];
      const me = events.find((e) => e.type === "m.room.member" && e.state_key === this.userId);
      this.lastInvite.set(roomId, { isDirect: me?.content.is_direct === true, inviter: me?.sender ?? "" });
      if (this.invites.some((i) => i.roomId === roomId)) continue;
      const name = events.find((e) => e.type === "m.room.name")?.content.name;
      this.invites.push({ roomId, name: typeof name === "string" ? name : undefined, isDirect: me?.content.is_direct === true, inviter: me?.sender ?? "" });
    }
  }

  private absorbTimeline(roomId: string, events: SyncEvent[]): void {
    const list = this.timeline.get(roomId) ?? [];
    for (const e of events) {
      if (e.type === "m.room.member" && e.state_key === this.userId) {
        this.memberships.set(roomId, String(e.content.membership));
        if (typeof e.content.reason === "string") this.membershipReasons.set(roomId, e.content.reason);
        else this.membershipReasons.delete(roomId);
      }
      if (e.type !== "m.room.message" || list.some((m) => m.eventId === e.event_id)) continue;
      const c = e.content;
      list.push({ eventId: e.event_id, sender: e.sender, msgtype: String(c.msgtype), body: String(c.body ?? ""), formatted: typeof c.formatted_body === "string" ? c.formatted_body : undefined, content: c });
    }
    this.timeline.set(roomId, list);
  }
}
