// Exactly-once, in-order delivery for one room, whatever the connection does. Pushes are held back from the
// moment a connection is (re)made until the catch-up over REST has fetched everything after the last
// delivered id; then the held pushes are replayed, dropping what the catch-up already delivered. Message ids
// are ObjectIds of equal length whose time prefix rises, so plain string order is creation order.
import { objectIdAt } from "./object-id";
import type { GitterMessage, LiveOperation } from "./types";

/** Where feeds deliver; one sink serves every feed of a connection, so each call names the room. */
export interface RoomFeedSink {
  message(roomId: string, message: GitterMessage): void;
  update(roomId: string, message: GitterMessage): void;
  remove(roomId: string, id: string): void;
}

/**
 * The newest messages of the room as the server saw them once the subscription was in place (Faye's
 * subscribe snapshot), oldest first, and how many were asked for.
 */
export interface Snapshot {
  messages: GitterMessage[];
  limit: number;
}

/** One page of messages after `afterId`, oldest first. Rejects on failure; the feed keeps holding pushes. */
export type FetchMissed = (roomId: string, afterId: string) => Promise<GitterMessage[]>;

interface Held {
  operation: LiveOperation;
  model: GitterMessage;
}

/**
 * Delivered messages remembered per room (version and a digest of text and html), to drop stale or repeated edits
 * and pushes that changed nothing a reader sees; older entries are forgotten first.
 */
const VERSION_MEMORY = 1000;

interface Seen {
  v: number;
  /** Digest of text and html as last delivered or edited. */
  digest: number;
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export class RoomFeed {
  private last: string | null;
  /** Non-null while pushes are held back (from a (re)connect until its catch-up completes). */
  private held: Held[] | null = [];
  private run = 0;
  /** Made on the first delivery: a watched room is kept per portal, many never see a message. */
  private versions: Map<string, Seen> | undefined;

  constructor(
    readonly roomId: string,
    lastDeliveredId: string | null,
    /** Floor used while nothing has been delivered: an id made from the time the room was first watched. */
    private readonly baselineId: string,
    private readonly sink: RoomFeedSink,
  ) {
    this.last = lastDeliveredId;
  }

  get holding(): boolean {
    return this.held !== null;
  }

  /** A push from the room's chatMessages channel. Never throws (sink errors are the sink's business). */
  push(operation: LiveOperation, model: GitterMessage): void {
    if (this.held) this.held.push({ operation, model });
    else this.apply(operation, model);
  }

  /** Holds pushes and makes any running catch-up give up: the connection broke, a new catch-up will follow. */
  interrupt(): void {
    this.run++;
    this.held ??= [];
  }

  /**
   * Fetches every page after the last delivered id, delivers it, then replays the held pushes.
   * Resolves true when done, false when interrupted meanwhile. Rejects when `fetchMissed` does; pushes stay
   * held until a later catch-up succeeds. `pageSize`, when known, saves the final empty page. A `snapshot`
   * that reaches back to the last delivered id (or holds the whole room) replaces the fetches altogether.
   */
  async catchUp(fetchMissed: FetchMissed, pageSize?: number, snapshot?: Snapshot): Promise<boolean> {
    const run = ++this.run;
    this.held ??= [];
    if (snapshot && this.covers(snapshot)) {
      const after = this.floor();
      for (const m of [...snapshot.messages].sort(byId)) if (m.id > after) this.deliver(m);
      this.release();
      return true;
    }
    for (;;) {
      const after = this.floor();
      let page: GitterMessage[];
      try {
        page = await fetchMissed(this.roomId, after);
      } catch (err) {
        if (run !== this.run) return false;
        throw err;
      }
      if (run !== this.run) return false;
      const fresh = page.filter((m) => m.id > after).sort(byId);
      for (const m of fresh) this.deliver(m);
      if (fresh.length === 0 || (pageSize !== undefined && page.length < pageSize)) break;
    }
    this.release();
    return true;
  }

  /** Nothing after the floor is missing from the snapshot: it is the whole room, or its oldest is not newer. */
  private covers(s: Snapshot): boolean {
    if (s.messages.length < s.limit) return true;
    return s.messages.some((m) => m.id <= this.floor());
  }

  private floor(): string {
    return this.last ?? this.baselineId;
  }

  /** Creates first, in id order, so that edits and deletes of held messages follow their creation. */
  private release(): void {
    const held = this.held ?? [];
    this.held = null;
    const creates = held.filter((h) => h.operation === "create").sort((a, b) => byId(a.model, b.model));
    for (const h of creates) this.apply(h.operation, h.model);
    for (const h of held) if (h.operation !== "create") this.apply(h.operation, h.model);
  }

  private apply(operation: LiveOperation, model: GitterMessage): void {
    if (typeof model?.id !== "string") return;
    const delivered = model.id <= this.floor();
    switch (operation) {
      case "create":
        // Already delivered (a catch-up raced the push), or older than what we hold: drop it.
        if (!delivered) this.deliver(model);
        return;
      case "update":
        if (delivered && this.isNewerEdit(model)) this.applyUpdate(model);
        return;
      case "remove":
        if (delivered) {
          this.versions?.delete(model.id);
          this.sink.remove(this.roomId, model.id);
        }
        return;
      case "patch":
        // Read counts and the like: nothing a bridge shows.
        return;
    }
  }

  /** Gitter's rule (API reference 5.3, quirk 3): an edit has v > 1, and only a higher v than seen applies. */
  private isNewerEdit(model: GitterMessage): boolean {
    if (typeof model.v !== "number" || model.v <= 1) return false;
    const seen = this.versions?.get(model.id);
    return seen === undefined || model.v > seen.v;
  }

  /**
   * Gitter pushes the whole message as an `update`, its version raised, on every save: an edit, but also a thread
   * reply added to or deleted from it (zero804/gitter modules/chats/lib/chat-service.js addToThreadMessageCount).
   * Only a change of text or html is an edit; the version is kept either way, so a late push of it is stale.
   */
  private applyUpdate(model: GitterMessage): void {
    const seen = this.versions?.get(model.id);
    const digest = digestOf(model);
    this.remember(model.id, model.v as number, digest);
    // Not remembered (delivered before this process, or long ago): Gitter sets editedAt on edits only, and a
    // blanked text is a deletion (of a thread root with replies), which must pass.
    const unchanged = seen ? seen.digest === digest : !model.editedAt && model.text !== "";
    if (!unchanged) this.sink.update(this.roomId, model);
  }

  private deliver(m: GitterMessage): void {
    this.last = m.id;
    this.remember(m.id, typeof m.v === "number" ? m.v : 1, digestOf(m));
    this.sink.message(this.roomId, m);
  }

  private remember(id: string, v: number, digest: number): void {
    const versions = (this.versions ??= new Map());
    versions.delete(id);
    versions.set(id, { v, digest });
    if (versions.size > VERSION_MEMORY) versions.delete(versions.keys().next().value as string);
  }
}

/** 32-bit FNV-1a of text and html: enough to tell an edit from a push that changed neither. */
function digestOf(m: GitterMessage): number {
  const s = `${typeof m.text === "string" ? m.text : ""}\u0000${typeof m.html === "string" ? m.html : ""}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0 || 1;
}

let baseline = { second: -1, id: "" };

/**
 * The floor for a room watched now (the smallest ObjectId of this second). Rooms watched in the same second share
 * one string, which every watched room keeps.
 */
export function baselineNow(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== baseline.second) baseline = { second, id: objectIdAt(now) };
  return baseline.id;
}
