// Threads and replies across the bridge. Gitter has threads (a reply names its root in `parentId`, and threads do
// not nest) but no replies; Matrix has both. Network -> Matrix: a thread reply (`threadId`) joins the Matrix
// thread of its bridged root. Matrix -> Gitter: thread messages and replies to bridged messages become Gitter thread
// replies; where Gitter cannot say what was replied to (a reply to one message inside a thread, or to something
// that never crossed), the replied-to message is quoted in Markdown before the text.
import { quoteForGitter, threadRelation, type MatrixRelation } from "../convert/replies";
import type { NetworkMessage } from "../network/types";
import type { MessageLink, Portal } from "../store/store";
import type { SessionContext } from "./session-context";

export interface MatrixThreadPlacement {
  /** `m.relates_to` for the Matrix message, when its thread root is bridged. */
  relation?: Record<string, unknown>;
  /** The Gitter thread the message belongs to, to record in the ledger. */
  threadId?: string;
}

/** Where a network message goes in Matrix: into the thread of its bridged root, or the main timeline. */
export async function placeInMatrix(ctx: SessionContext, row: Portal, msg: NetworkMessage): Promise<MatrixThreadPlacement> {
  const threadId = msg.threadId;
  if (typeof threadId !== "string" || threadId === "") return {};
  const root = await ctx.store.messages.byGitterMessage(row.matrixRoomId, threadId);
  // A root from before the portal opened: the reply still counts as part of that thread for later replies.
  if (!root) return { threadId };
  const latest = (await ctx.store.messages.latestInThread(row.matrixRoomId, threadId)) ?? root;
  return { relation: threadRelation(root.matrixEventId, latest.matrixEventId), threadId };
}

export interface GitterPlacement {
  /** The Gitter thread to post in. */
  parentId?: string;
  /** A Markdown quote of the replied-to message, to put before the text. */
  quote?: string;
}

/** Where a Matrix message goes on Gitter, given what it relates to. May throw (store or homeserver unreachable). */
export async function placeInGitter(ctx: SessionContext, row: Portal, relation: MatrixRelation): Promise<GitterPlacement> {
  if (relation.threadRoot !== undefined) {
    const root = await linkIn(ctx, row, relation.threadRoot);
    // With the root bridged, only a reply to some other message in the thread needs a quote to say which.
    const quoted = root ? (relation.replyTo !== relation.threadRoot ? relation.replyTo : undefined) : (relation.replyTo ?? relation.threadRoot);
    const quote = quoted !== undefined ? await quoteOf(ctx, row, quoted) : undefined;
    return { ...(root ? { parentId: root.gitterThreadId ?? root.gitterMessageId } : {}), ...(quote ? { quote } : {}) };
  }
  if (relation.replyTo === undefined) return {};
  const target = await linkIn(ctx, row, relation.replyTo);
  // A reply to a top-level message opens (or continues) that message's thread: exactly what Gitter can express.
  if (target && target.gitterThreadId === undefined) return { parentId: target.gitterMessageId };
  const quote = await quoteOf(ctx, row, relation.replyTo);
  return { ...(target ? { parentId: target.gitterThreadId } : {}), ...(quote ? { quote } : {}) };
}

/**
 * The ledger entry of the message an event in this portal shows (any of its events: a file or added text too); an
 * event id from another room is treated as unknown.
 */
async function linkIn(ctx: SessionContext, row: Portal, eventId: string): Promise<MessageLink | null> {
  const link = await ctx.store.messages.messageOfMatrixEvent(eventId);
  return link && link.matrixRoomId === row.matrixRoomId ? link : null;
}

/** A quote of a Matrix event for Gitter readers, or undefined when it cannot be read (unknown, redacted). */
async function quoteOf(ctx: SessionContext, row: Portal, eventId: string): Promise<string | undefined> {
  const event = await ctx.matrix.as(ctx.ids.botMxid).getEvent(row.matrixRoomId, eventId);
  const content = event?.content ?? {};
  const body = typeof content.body === "string" ? content.body : "";
  if (!event || body.trim() === "") return undefined;
  const sender = typeof event.sender === "string" ? event.sender : "";
  const kind = typeof content.msgtype === "string" && content.msgtype !== "m.text" ? content.msgtype : "";
  const text = ["m.image", "m.file", "m.video", "m.audio"].includes(kind) ? `(${kind.slice(2)}) ${body}` : body;
  return quoteForGitter(whoIs(ctx, sender), text);
}

/** How Gitter readers know the quoted person: their Gitter @username when they have one, else their Matrix id. */
function whoIs(ctx: SessionContext, mxid: string): string {
  if (mxid === ctx.mxid) return `@${ctx.gitterUsername}`;
  const username = ctx.ids.parseGhost(mxid);
  if (username !== null) return `@${username}`;
  return mxid === ctx.ids.botMxid ? `${ctx.network.profile.displayName} bridge` : mxid;
}
