// Reactions both ways, on networks that have them (`capabilities.reactions`), always found through the message
// ledger and remembered in the reaction store (one row per user's reaction to a message). A reaction on the network
// to a bridged message is an `m.reaction` from the reacting user's ghost (the owner's own, from another client, from
// their ghost, as their messages are), and its removal redacts that event. Each function runs on the portal's
// queue of its direction.
import { isMatrixError } from "../matrix/client";
import type { NetworkEvent } from "../network/realtime";
import type { Portal, ReactionKey, ReactionLink } from "../store/store";
import { getLogger } from "../util/log";
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
