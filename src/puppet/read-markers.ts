// Read markers, Matrix -> network: when a portal's owner reads up to a bridged message in Matrix (a read receipt,
// which the homeserver pushes as an ephemeral event), the room is marked read up to that message for their network
// account (markRead: on Gitter, their unread items up to it). Receipts for events that never crossed say nothing
// about the network and are ignored.
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
  constructor(private readonly deps: ReadMarkerDeps) {}

  /** Handles one `m.receipt` event from the inbox. May throw (network or store unreachable); never repeats itself. */
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
    const link = await ctx.store.messages.messageOfMatrixEvent(receipt.eventId);
    if (!link || link.matrixRoomId !== roomId) return;
    // A thread receipt says nothing about the main timeline.
    await ctx.network.markRead(gitterRoomId, link.gitterMessageId, { inThread: receipt.threadId !== undefined });
    log.debug("marked read on the network", { room: roomId, gitterRoom: gitterRoomId, upTo: link.gitterMessageId, inThread: receipt.threadId !== undefined });
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
