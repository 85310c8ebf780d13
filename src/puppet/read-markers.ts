// Read markers, Matrix -> Gitter: when a portal's owner reads up to a bridged message in Matrix (a read receipt, which
// the homeserver pushes as an ephemeral event), the Gitter messages they have not read up to that one are marked read
// for their Gitter account. Receipts for events that never crossed say nothing about Gitter and are ignored.
import type { Store } from "../store/store";
import { getLogger } from "../util/log";
import type { SessionContext } from "./session-context";

const log = getLogger("read-markers");

/** Receipt types that mean "read"; private ones never reach appservices today, but mean the same. */
const READ_TYPES = ["m.read", "m.read.private"];

export interface ReadMarkerDeps {
  store: Store;
  /** The running session of a user, if any. */
  sessionOf(mxid: string): { ctx: SessionContext } | undefined;
}

interface ReadBy {
  eventId: string;
  /** The thread the receipt is for, when it is not the main timeline. */
  threadId?: string;
}

export class ReadMarkers {
  /** The highest Gitter id marked read per portal room, so older or repeated receipts cost no request. */
  private readonly marked = new Map<string, string>();

  constructor(private readonly deps: ReadMarkerDeps) {}

  /** Handles one `m.receipt` event from the inbox. May throw (Gitter or store unreachable); never repeats itself. */
  async onReceipt(event: Record<string, unknown>): Promise<void> {
    const roomId = event.room_id;
    if (typeof roomId !== "string") return;
    const portal = await this.deps.store.portals.getPortalByMatrixRoom(roomId);
    if (!portal) return;
    const read = ownerReceipts(event.content, portal.mxid);
    const session = this.deps.sessionOf(portal.mxid);
    if (read.length === 0 || !session) return;
    for (const receipt of read) await this.markRead(session.ctx, roomId, portal.gitterRoomId, receipt);
  }

  private async markRead(ctx: SessionContext, roomId: string, gitterRoomId: string, receipt: ReadBy): Promise<void> {
    const link = await ctx.store.messages.byMatrixEvent(receipt.eventId);
    if (!link || link.matrixRoomId !== roomId) return;
    const cutoff = link.gitterMessageId;
    const inThread = receipt.threadId !== undefined;
    if (!inThread && (this.marked.get(roomId) ?? "") >= cutoff) return;
    const unread = await ctx.rest.getUnreadItems(gitterRoomId);
    // Gitter ids are ObjectIds: string order is creation order. A thread receipt says nothing about the main timeline.
    const ids = [...new Set([...unread.chat, ...unread.mention])].filter((id) => (inThread ? id === cutoff : id <= cutoff));
    await ctx.rest.markRead(gitterRoomId, ids);
    if (!inThread) this.marked.set(roomId, cutoff);
    log.debug("marked read on Gitter", { room: roomId, gitterRoom: gitterRoomId, upTo: cutoff, count: ids.length });
  }
}

/** The events `owner` read according to a receipt event's content: `{eventId: {m.read: {userId: {ts, thread_id?}}}}`. */
export function ownerReceipts(content: unknown, owner: string): ReadBy[] {
  if (typeof content !== "object" || content === null) return [];
  const out: ReadBy[] = [];
  for (const [eventId, byType] of Object.entries(content as Record<string, unknown>)) {
    for (const type of READ_TYPES) {
      const users = (byType as Record<string, unknown> | null)?.[type] as Record<string, { thread_id?: unknown }> | undefined;
      const mine = users?.[owner];
      if (!mine) continue;
      const thread = typeof mine.thread_id === "string" && mine.thread_id !== "main" ? mine.thread_id : undefined;
      out.push(thread ? { eventId, threadId: thread } : { eventId });
    }
  }
  return out;
}
