// Reactions both ways, on networks that have them (`capabilities.reactions`), always found through the message
// ledger and remembered in the reaction store (one row per user's reaction to a message). A reaction on the network
// to a bridged message is an `m.reaction` from the reacting user's ghost (the owner's own, from another client, from
// their ghost, as their messages are), and its removal redacts that event. The owner's `m.reaction` on a bridged
// message is `react`, its redaction `unreact`: the row is written before the call, so the network's echo of either
// finds it done and is dropped. Each function runs on the portal's queue of its direction.
import { isMatrixError } from "../matrix/client";
import { isNetworkError } from "../network/errors";
import type { NetworkEvent } from "../network/realtime";
import type { Portal, ReactionKey, ReactionLink } from "../store/store";
import { getLogger } from "../util/log";
import type { MatrixRoomEvent } from "./portal";
import { redactedEventId } from "./portal-edits";
import type { SessionContext } from "./session-context";

const log = getLogger("portal-reactions");

export type ReactionEvent = Extract<NetworkEvent, { type: "reaction" }>;

/**
 * The Matrix transaction id of a reaction's send or redaction: what it is (message, user, reaction) and how many
 * times it was removed before, so a replay lands once and a reaction added again is a new event.
 */
export function reactionTxnId(what: "react" | "unreact", key: ReactionKey, removals: number): string {
  const base = `g2m-${what}-${key.messageId}-${key.userId}-${key.reaction}`;
  return removals === 0 ? base : `${base}-${removals}`;
}

/** A reaction added or removed on the network, into the portal. May throw (homeserver or store unreachable). */
export async function reactionToMatrix(ctx: SessionContext, row: Portal, event: ReactionEvent): Promise<void> {
  const key: ReactionKey = { matrixRoomId: row.matrixRoomId, messageId: event.messageId, userId: event.userId, reaction: event.reaction };
  const known = await ctx.store.reactions.getReaction(key);
  if (event.added) await addToMatrix(ctx, key, known);
  else if (known?.active) await removeFromMatrix(ctx, key, known);
}

async function addToMatrix(ctx: SessionContext, key: ReactionKey, known: ReactionLink | null): Promise<void> {
  // Shown already: a replay, or the owner's reaction from Matrix coming back.
  if (known?.active) return;
  const link = await ctx.store.messages.byGitterMessage(key.matrixRoomId, key.messageId);
  if (!link) return;
  const user = key.userId === ctx.network.self.id ? ctx.network.self : await ctx.network.getUser(key.userId);
  const ghost = await ctx.ghosts.ensure(user);
  await ctx.ghosts.ensureInRoom(ghost, key.matrixRoomId);
  const content = { "m.relates_to": { rel_type: "m.annotation", event_id: link.matrixEventId, key: ctx.network.reactionToMatrix(key.reaction) } };
  const txnId = reactionTxnId("react", key, known?.removals ?? 0);
  const eventId = await ctx.matrix.as(ghost).sendEvent(key.matrixRoomId, "m.reaction", content, txnId);
  await ctx.store.reactions.recordReaction(key, eventId, "gitter-to-matrix");
  log.debug("reaction bridged to Matrix", { room: key.matrixRoomId, gitterMessageId: key.messageId, event: eventId });
}

/** Redacts the reaction's event: a ghost's as that ghost, the owner's own (made in Matrix) as the bot. */
async function removeFromMatrix(ctx: SessionContext, key: ReactionKey, known: ReactionLink): Promise<void> {
  const ghost = known.direction === "gitter-to-matrix" ? await ctx.ghosts.knownMxid(key.userId) : null;
  const txnId = reactionTxnId("unreact", key, known.removals);
  try {
    await ctx.matrix.as(ghost ?? ctx.ids.botMxid).redact(key.matrixRoomId, known.matrixEventId, txnId, `Removed on ${ctx.networkName}`);
  } catch (err) {
    if (!isMatrixError(err, "M_FORBIDDEN")) throw err;
    log.info("no power to redact a reaction removed on the network", { room: key.matrixRoomId, event: known.matrixEventId });
  }
  await ctx.store.reactions.removeReaction(key);
  log.debug("reaction removal bridged to Matrix", { room: key.matrixRoomId, gitterMessageId: key.messageId, event: known.matrixEventId });
}

/**
 * The owner's `m.reaction`, or the redaction of one they made: bridged, and true (nothing more to do with the
 * event). False for any other event. On a network without reactions nothing is called and nothing said: Matrix
 * reactions were never bridged there, and a notice for each would only be noise. May throw (network or store).
 */
export async function reactionFromMatrix(ctx: SessionContext, row: Portal, event: MatrixRoomEvent): Promise<boolean> {
  if (event.type === "m.reaction") {
    if (ctx.capabilities.reactions) await reactToNetwork(ctx, row, event);
    return true;
  }
  if (event.type !== "m.room.redaction" || !ctx.capabilities.reactions) return false;
  const redacts = redactedEventId(event);
  const known = redacts === null ? null : await ctx.store.reactions.reactionByMatrixEvent(redacts);
  if (!known || known.matrixRoomId !== row.matrixRoomId) return false;
  if (known.direction === "matrix-to-gitter") {
    // Marked removed first, for the echo; unreact is safe to repeat, so a replay after a crash calls it again.
    await ctx.store.reactions.removeReaction(known);
    await refused(row, event, () => ctx.network.unreact(row.gitterRoomId, known.messageId, known.reaction));
  }
  return true;
}

async function reactToNetwork(ctx: SessionContext, row: Portal, event: MatrixRoomEvent): Promise<void> {
  const relation = event.content["m.relates_to"] as { rel_type?: unknown; event_id?: unknown; key?: unknown } | undefined;
  if (relation?.rel_type !== "m.annotation" || typeof relation.event_id !== "string" || typeof relation.key !== "string") return;
  const link = await ctx.store.messages.messageOfMatrixEvent(relation.event_id);
  if (!link || link.matrixRoomId !== row.matrixRoomId) return;
  const reaction = ctx.network.reactionFromMatrix(relation.key);
  if (reaction === null) {
    const text = `Your reaction ${relation.key} was not sent to ${ctx.networkName}: ${ctx.networkName} has no emoji for it.`;
    return ctx.notice(row.matrixRoomId, { cause: event.event_id, purpose: "reaction-refused" }, text);
  }
  const key: ReactionKey = { matrixRoomId: row.matrixRoomId, messageId: link.gitterMessageId, userId: ctx.network.self.id, reaction };
  // Recorded first: the network's echo of the reaction, which may come before `react` answers, finds it shown.
  await ctx.store.reactions.recordReaction(key, event.event_id, "matrix-to-gitter");
  await refused(row, event, () => ctx.network.react(row.gitterRoomId, link.gitterMessageId, reaction));
  log.debug("reaction bridged to the network", { room: row.matrixRoomId, gitterMessageId: link.gitterMessageId, event: event.event_id });
}

/** Runs a reaction's call; a message gone or a reaction refused is logged, not retried (nothing would change). */
async function refused(row: Portal, event: MatrixRoomEvent, call: () => Promise<void>): Promise<void> {
  try {
    await call();
  } catch (err) {
    if (!(isNetworkError(err, "not-found") || isNetworkError(err, "forbidden") || isNetworkError(err, "rejected"))) throw err;
    log.info("the network refused a reaction", { room: row.matrixRoomId, event: event.event_id, error: err as Error });
  }
}
