// Message storage and the list queries of Gitter's chat-service (findChatMessagesInRange / AroundId /
// findThreadChatMessages). Pure bookkeeping: no events, no permission checks.
import { isObjectId } from "./ids";
import { ApiError, type EmMessage, type MessageQuery } from "./types";

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 100;
export const MAX_SKIP = 5000;

export interface QueryResult {
  messages: EmMessage[];
  /** The `aroundId` target, which Gitter flags with `initial: true`. */
  initialId?: string;
}

function clampLimit(limit: number | undefined): number {
  return Math.min(limit && limit > 0 ? Math.floor(limit) : DEFAULT_LIMIT, MAX_LIMIT);
}

function checkId(name: string, id: string | undefined): void {
  if (id !== undefined && !isObjectId(id)) throw new ApiError(400, `Invalid ${name}`);
}

export class ChatStore {
  /** Live messages of each room, ascending by id. */
  private readonly byRoom = new Map<string, EmMessage[]>();
  private readonly byId = new Map<string, EmMessage>();
  /** Every message ever stored, deleted ones included, in creation order. */
  private readonly log: EmMessage[] = [];

  add(msg: EmMessage): void {
    const list = this.byRoom.get(msg.roomId) ?? [];
    let i = list.length;
    while (i > 0 && list[i - 1].id > msg.id) i--;
    list.splice(i, 0, msg);
    this.byRoom.set(msg.roomId, list);
    this.byId.set(msg.id, msg);
    this.log.push(msg);
  }

  /** Every message, deleted ones included, in creation order: what a snapshot keeps. */
  dump(): readonly EmMessage[] {
    return this.log;
  }

  /** Adds dumped messages back in their creation order; deleted ones stay out of the room lists. */
  load(messages: readonly EmMessage[]): void {
    for (const msg of messages) {
      this.add(msg);
      if (msg.deleted) this.remove(msg);
    }
  }

  get(id: string): EmMessage | undefined {
    const msg = this.byId.get(id);
    return msg && !msg.deleted ? msg : undefined;
  }

  getInRoom(roomId: string, id: string): EmMessage | undefined {
    const msg = this.get(id);
    return msg && msg.roomId === roomId ? msg : undefined;
  }

  remove(msg: EmMessage): void {
    msg.deleted = true;
    const list = this.byRoom.get(msg.roomId) ?? [];
    const i = list.indexOf(msg);
    if (i >= 0) list.splice(i, 1);
  }

  roomMessages(roomId: string): readonly EmMessage[] {
    return this.byRoom.get(roomId) ?? [];
  }

  allMessages(): readonly EmMessage[] {
    return this.log;
  }

  /** Throws ApiError(400) for skip over 5000 or malformed ids. */
  query(roomId: string, q: MessageQuery): QueryResult {
    if ((q.skip ?? 0) > MAX_SKIP) {
      throw new ApiError(400, "Skip is limited to 5000 items. Please use beforeId rather than skip. See https://developer.gitter.im");
    }
    checkId("beforeId", q.beforeId);
    checkId("afterId", q.afterId);
    checkId("beforeInclId", q.beforeInclId);
    if (q.aroundId !== undefined) {
      const around = isObjectId(q.aroundId) ? this.get(q.aroundId) : undefined;
      // Gitter answers an unknown aroundId with the latest page, whatever the other parameters.
      if (!around) return { messages: this.range(roomId, {}) };
      return { messages: this.around(roomId, around, q), initialId: around.id };
    }
    return { messages: this.range(roomId, q) };
  }

  private base(roomId: string, includeThreads: boolean | undefined): EmMessage[] {
    const all = this.roomMessages(roomId);
    return includeThreads ? [...all] : all.filter((m) => !m.parentId);
  }

  private range(roomId: string, q: MessageQuery): EmMessage[] {
    let items = this.base(roomId, q.includeThreads);
    if (q.beforeId) items = items.filter((m) => m.id < q.beforeId!);
    if (q.beforeInclId) items = items.filter((m) => m.id <= q.beforeInclId!);
    if (q.afterId) items = items.filter((m) => m.id > q.afterId!);
    return pageOf(items, Boolean(q.afterId), q.skip ?? 0, clampLimit(q.limit));
  }

  private around(roomId: string, target: EmMessage, q: MessageQuery): EmMessage[] {
    const searchId = target.parentId ?? target.id;
    // Mongo treats limit(0) as "no limit", and so did Gitter for limit=1.
    const half = Math.floor(clampLimit(q.limit) / 2) || Number.MAX_SAFE_INTEGER;
    const items = this.base(roomId, q.includeThreads);
    const before = items.filter((m) => m.id <= searchId).slice(-half);
    const after = items.filter((m) => m.id > searchId).slice(0, half);
    return [...before, ...after, ...(target.parentId ? [target] : [])];
  }

  /** Replies of a thread, oldest first (beforeId/afterId/limit as for the room list). */
  thread(roomId: string, parentId: string, q: MessageQuery): EmMessage[] {
    checkId("beforeId", q.beforeId);
    checkId("afterId", q.afterId);
    let items = this.roomMessages(roomId).filter((m) => m.parentId === parentId);
    if (q.beforeId) items = items.filter((m) => m.id < q.beforeId!);
    if (q.afterId) items = items.filter((m) => m.id > q.afterId!);
    return pageOf(items, Boolean(q.afterId), 0, clampLimit(q.limit));
  }
}

/** Ascending input; `fromOldest` pages from the old end (afterId), otherwise from the newest end. */
function pageOf(items: EmMessage[], fromOldest: boolean, skip: number, limit: number): EmMessage[] {
  if (fromOldest) return items.slice(skip, skip + limit);
  const end = Math.max(items.length - skip, 0);
  return items.slice(Math.max(end - limit, 0), end);
}
