// Edits and deletions in both directions, always found through the message ledger. A change is only ever applied
// by the side that may make it: the Gitter author's ghost edits its Matrix message; the owner's Matrix edits and
// redactions reach Gitter only for messages their Gitter account wrote. Everything else (a change to a message that
// never crossed, the echo of a change we made ourselves) is dropped quietly. Every function here runs inside the
// portal's queue of its direction, after the message it changes was bridged (which crossed the same way).
import { editOf, mentionedIn, replacementContent, shownContent, showsSame, type MatrixEdit, type MessageContent } from "../convert/edits";
import { relationOf } from "../convert/replies";
import { isMatrixError } from "../matrix/client";
import { isNetworkError } from "../network/errors";
import type { NetworkMessage } from "../network/types";
import type { MessageLink, Portal } from "../store/store";
import { getLogger } from "../util/log";
import type { MatrixRoomEvent } from "./portal";
import { contentForNetwork, contentForMatrix } from "./portal-content";
import type { SessionContext } from "./session-context";

const log = getLogger("portal-edits");

/**
 * A network edit of a bridged message becomes an `m.replace` sent by the author's ghost. Its transaction id names
 * the message's revision (Gitter's `v`), so the same edit replayed after a crash lands once.
 */
export async function editToMatrix(ctx: SessionContext, row: Portal, msg: NetworkMessage): Promise<void> {
  const link = await ctx.store.messages.byGitterMessage(row.matrixRoomId, msg.id);
  // Our own Matrix edit coming back, or an edit we could not make as the Matrix user anyway.
  if (!link || link.direction === "matrix-to-gitter") return;
  // A post with no text is linked by its first file: an edit never turns that file into text, the text goes apart.
  const shownByFile = (await ctx.store.messages.filesOf(row.matrixRoomId, msg.id)).includes(link.matrixEventId);
  if (shownByFile) return textOfFileToMatrix(ctx, row, link, msg);
  // A blanked message is Gitter's way of deleting a thread root that still has replies (and the old way of deleting).
  if (blank(msg)) return redactBridged(ctx, row, link, false);
  await replaceInMatrix(ctx, row, link, msg);
}

/** Replaces the text event `link` names with the message's text (unless Matrix shows exactly that already). */
async function replaceInMatrix(ctx: SessionContext, row: Portal, link: MessageLink, msg: NetworkMessage): Promise<void> {
  const sender = await ctx.ghosts.ensure(msg.sender ?? (await ctx.network.getUser(msg.senderId)));
  await ctx.ghosts.ensureInRoom(sender, row.matrixRoomId);
  const converted = await contentForMatrix(ctx, msg, sender);
  if (converted === null) return;
  const next = converted as MessageContent;
  const original = await ctx.matrix.as(ctx.ids.botMxid).getEvent(row.matrixRoomId, link.matrixEventId);
  // Gitter rewrites a thread root on each reply; the feed drops those it can tell apart, and what it cannot (a
  // message from before this process) is dropped here when Matrix already shows exactly this.
  if (showsSame(shownContent(original), next)) {
    log.debug("network update changes nothing Matrix shows", { room: row.matrixRoomId, gitterMessageId: msg.id, revision: msg.revision });
    return;
  }
  const content = replacementContent(next, link.matrixEventId, mentionedIn(original?.content));
  const txnId = `g2m-${msg.id}-v${msg.revision ?? Date.now()}`;
  await ctx.matrix.as(sender).sendEvent(row.matrixRoomId, "m.room.message", content, txnId);
  log.debug("edit bridged to Matrix", { room: row.matrixRoomId, gitterMessageId: msg.id, revision: msg.revision });
}

function blank(msg: NetworkMessage): boolean {
  return typeof msg.text !== "string" || msg.text.trim() === "";
}

/**
 * An edit of a message shown by its file alone (a Mattermost post with only files). Text it gains is a message of
 * its own from the author's ghost, a reply to the file (in the file's thread, if any), sent under
 * `g2m-<id>-text-v<revision>` with the "may exist" rule and then recorded (`message_added_texts`), so a replayed
 * edit neither sends it twice nor edits it for nothing; later edits replace that event. Text emptied again redacts
 * it under `g2m-del-<id>-v<revision>` and forgets it. The file event itself is never changed.
 */
async function textOfFileToMatrix(ctx: SessionContext, row: Portal, link: MessageLink, msg: NetworkMessage): Promise<void> {
  const added = await ctx.store.messages.addedTextOf(row.matrixRoomId, msg.id);
  const revision = msg.revision ?? String(Date.now());
  if (added && blank(msg)) {
    await redactOnce(ctx, row, added, `g2m-del-${msg.id}-v${revision}`);
    return ctx.store.messages.forgetAddedText(row.matrixRoomId, msg.id);
  }
  if (added) return replaceInMatrix(ctx, row, { ...link, matrixEventId: added }, msg);
  if (blank(msg)) return;
  const sender = await ctx.ghosts.ensure(msg.sender ?? (await ctx.network.getUser(msg.senderId)));
  await ctx.ghosts.ensureInRoom(sender, row.matrixRoomId);
  const content = await contentForMatrix(ctx, msg, sender);
  if (content === null) return;
  const file = await ctx.matrix.as(ctx.ids.botMxid).getEvent(row.matrixRoomId, link.matrixEventId);
  content["m.relates_to"] = replyTo(link.matrixEventId, file?.content);
  const txnId = `g2m-${msg.id}-text-v${revision}`;
  const eventId = await ctx.matrix.as(sender).sendEvent(row.matrixRoomId, "m.room.message", content, txnId, { mayExist: true });
  await ctx.store.messages.recordAddedText(row.matrixRoomId, msg.id, eventId);
  log.debug("text added to a message shown by its file", { room: row.matrixRoomId, gitterMessageId: msg.id, event: eventId });
}

/** A reply to `eventId`, in its thread when it is in one (as a thread reply that falls back to the reply). */
function replyTo(eventId: string, content: unknown): Record<string, unknown> {
  const relation = (content as { "m.relates_to"?: { rel_type?: unknown; event_id?: unknown } } | undefined)?.["m.relates_to"];
  const inReplyTo = { event_id: eventId };
  if (relation?.rel_type === "m.thread" && typeof relation.event_id === "string") {
    return { rel_type: "m.thread", event_id: relation.event_id, is_falling_back: true, "m.in_reply_to": inReplyTo };
  }
  return { "m.in_reply_to": inReplyTo };
}

/** A network deletion redacts the bridged message and forgets it. */
export async function deleteToMatrix(ctx: SessionContext, row: Portal, messageId: string): Promise<void> {
  const link = await ctx.store.messages.byGitterMessage(row.matrixRoomId, messageId);
  if (link) await redactBridged(ctx, row, link, true);
}

/**
 * Redacts a bridged message as its sender when that is one of our ghosts, else as the bot (which has the power to
 * in the rooms it made). `forget` (a deletion) also redacts each of its files and drops the ledger entry; a blanked
 * message keeps both (a Gitter thread root keeps its thread whole; a Mattermost post whose text is emptied keeps its
 * files). The link's own event keeps the transaction id `g2m-del-<id>`; each other file event gets
 * `g2m-del-<id>-file-<n>`, and text added to a message shown by its file `g2m-del-<id>-text`, so a deletion
 * replayed after a crash redacts each event once.
 */
async function redactBridged(ctx: SessionContext, row: Portal, link: MessageLink, forget: boolean): Promise<void> {
  const id = link.gitterMessageId;
  await redactOnce(ctx, row, link.matrixEventId, `g2m-del-${id}`);
  if (!forget) return;
  const files = await ctx.store.messages.filesOf(row.matrixRoomId, id);
  for (const [n, eventId] of files.entries()) {
    if (eventId !== link.matrixEventId) await redactOnce(ctx, row, eventId, `g2m-del-${id}-file-${n}`);
  }
  const added = await ctx.store.messages.addedTextOf(row.matrixRoomId, id);
  if (added) await redactOnce(ctx, row, added, `g2m-del-${id}-text`);
  await ctx.store.messages.forgetMessage(row.matrixRoomId, id);
}

async function redactOnce(ctx: SessionContext, row: Portal, eventId: string, txnId: string): Promise<void> {
  const event = await ctx.matrix.as(ctx.ids.botMxid).getEvent(row.matrixRoomId, eventId);
  // Already redacted: Gitter's echo of a Matrix redaction being passed to Gitter (the directions run side by side,
  // so it can come before that redaction forgot the message), or a deletion replayed. Redacting again would add an
  // event for nothing.
  if (isRedacted(event)) return;
  const sender = typeof event?.sender === "string" ? event.sender : "";
  const actor = ctx.ids.isGhost(sender) ? sender : ctx.ids.botMxid;
  try {
    await ctx.matrix.as(actor).redact(row.matrixRoomId, eventId, txnId, `Deleted on ${ctx.network.profile.displayName}`);
  } catch (err) {
    if (!isMatrixError(err, "M_FORBIDDEN")) throw err;
    log.info("no power to redact a message deleted on Gitter", { room: row.matrixRoomId, event: eventId });
  }
}

function isRedacted(event: Record<string, unknown> | null): boolean {
  const unsigned = event?.unsigned;
  return typeof unsigned === "object" && unsigned !== null && "redacted_because" in unsigned;
}

/**
 * Handles the owner's Matrix events that change earlier messages: redactions and edits. Returns false for anything
 * else (a new message, to be sent as such). May throw (Gitter, homeserver or store unreachable).
 */
export async function changeFromMatrix(ctx: SessionContext, row: Portal, event: MatrixRoomEvent): Promise<boolean> {
  if (event.type === "m.room.redaction") {
    await redactionToGitter(ctx, row, event);
    return true;
  }
  if (event.type !== "m.room.message") return true;
  const relation = event.content["m.relates_to"] as { rel_type?: unknown } | undefined;
  if (relation?.rel_type !== "m.replace") return false;
  const edit = editOf(event.content);
  if (edit) await editToGitter(ctx, row, edit, event.event_id);
  return true;
}

async function editToGitter(ctx: SessionContext, row: Portal, edit: MatrixEdit, editEventId: string): Promise<void> {
  const link = await ctx.store.messages.byMatrixEvent(edit.eventId);
  if (!link || link.matrixRoomId !== row.matrixRoomId || link.direction !== "matrix-to-gitter") return;
  const original = await ctx.matrix.as(ctx.ids.botMxid).getEvent(row.matrixRoomId, edit.eventId);
  const source = { eventId: editEventId, messageEventId: edit.eventId };
  const out = await contentForNetwork(ctx, row, edit.content, original ? relationOf(original.content) : {}, source);
  if (out.kind === "ignore") return;
  const about = (purpose: string) => ({ cause: editEventId, purpose });
  if (out.kind === "refuse") return ctx.notice(row.matrixRoomId, about("edit-refused"), `Your edit was not sent to ${ctx.network.profile.displayName}: ${out.notice}`);
  try {
    await ctx.network.edit(row.gitterRoomId, link.gitterMessageId, out.text, out.status ? "emote" : "text");
  } catch (err) {
    // The purposes keep their names: they are part of the notices' transaction ids. The network says why it
    // refused (Gitter: its edit window).
    if (isNetworkError(err, "rejected")) return ctx.notice(row.matrixRoomId, about("edit-too-late"), `Your edit was not sent to ${err.party}: ${err.personMessage}`);
    if (isNetworkError(err, "forbidden") || isNetworkError(err, "not-found")) {
      const why = `${err.party} no longer has that message, or does not let you change it.`;
      return ctx.notice(row.matrixRoomId, about("edit-gone"), `Your edit was not sent to ${err.party}: ${why}`);
    }
    throw err;
  }
  if (out.notice) await ctx.notice(row.matrixRoomId, about("edit-sent-with-notice"), `Your edit ${out.notice}`);
  log.debug("edit bridged to Gitter", { room: row.matrixRoomId, gitterMessageId: link.gitterMessageId });
}

async function redactionToGitter(ctx: SessionContext, row: Portal, event: MatrixRoomEvent): Promise<void> {
  const redacts = redactedEventId(event);
  if (redacts === null) return;
  // Whatever becomes of the Gitter message, the files it linked are no longer served (in queue order, so a share
  // recorded by the message itself, handled just before, is withdrawn too).
  await ctx.store.media.unshareEvent(row.matrixRoomId, redacts);
  // The linked event only: one other file or the added text redacted leaves the post and its other parts alone
  // (docs/network-interface.md).
  const link = await ctx.store.messages.byMatrixEvent(redacts);
  if (!link || link.matrixRoomId !== row.matrixRoomId) return;
  if (!(await writtenByOwner(ctx, row, link))) return;
  // A message already gone is done (the interface's contract).
  await ctx.network.delete(row.gitterRoomId, link.gitterMessageId);
  await ctx.store.messages.forgetMessage(row.matrixRoomId, link.gitterMessageId);
  log.debug("deletion bridged to Gitter", { room: row.matrixRoomId, gitterMessageId: link.gitterMessageId });
}

/** The event a redaction redacts (top-level `redacts` before room v11, in the content from v11), or null. */
export function redactedEventId(event: MatrixRoomEvent): string | null {
  const redacts = (event as { redacts?: unknown }).redacts ?? event.content.redacts;
  return typeof redacts === "string" ? redacts : null;
}

/** Sent from Matrix by the owner, or posted on Gitter by the owner's account (and shown by their own ghost). */
async function writtenByOwner(ctx: SessionContext, row: Portal, link: MessageLink): Promise<boolean> {
  if (link.direction === "matrix-to-gitter") return true;
  const event = await ctx.matrix.as(ctx.ids.botMxid).getEvent(row.matrixRoomId, link.matrixEventId);
  return event?.sender === ctx.ghosts.mxidFor(ctx.gitterUsername);
}
