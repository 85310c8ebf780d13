// A portal's Matrix room outlives the portal: closing one (logout, the user leaving its Matrix room, leaving the
// Gitter room) keeps the bridge in the room and the row marked closed, so the next time the user opens that Gitter
// room they are invited back into the same room, history and all. Only a direct chat the user made in Matrix is
// left by the bridge: the room is theirs, and the bridge cannot (and should not) put them out of it.
import type { MatrixClient } from "../matrix/client";
import { isMatrixError } from "../matrix/errors";
import type { MatrixIds } from "../matrix/ids";
import type { NetworkRoom, NetworkUser } from "../network/types";
import type { Portal, Store } from "../store/store";
import { getLogger } from "../util/log";
import type { GhostManager } from "./ghosts";
import { PortalRoom } from "./portal";
import type { SessionContext } from "./session-context";

const log = getLogger("portal-reopen");

/** Where the owner stands in their portal's Matrix room once asked to be let in. */
export type OwnerMembership = "joined" | "invited";

/** The owner's power in their portal (see portalPowerLevels): enough to talk, not to invite. */
const OWNER_POWER = 50;

export interface CloseDeps {
  matrix: MatrixClient;
  ids: MatrixIds;
  store: Store;
  ghosts: GhostManager;
}

/**
 * Closes a portal: its row is kept, marked closed, and the owner is removed from the room while the bridge's
 * users stay, ready to let them back in. A direct chat the owner created is left by the bot and the ghosts instead,
 * and forgotten. May throw when the store is unreachable; Matrix refusals are logged and passed over.
 */
export async function closePortalRoom(deps: CloseDeps, row: Portal, reason: string): Promise<void> {
  const bot = deps.matrix.as(deps.ids.botMxid);
  const state = row.oneToOne ? await bot.getRoomState(row.matrixRoomId).catch(() => null) : null;
  const creator = state?.find((e) => e.type === "m.room.create")?.sender;
  if (typeof creator === "string" && !deps.ids.isOurs(creator)) {
    await deps.store.portals.deletePortal(row.mxid, row.gitterRoomId);
    const ghosts = state!.filter((e) => e.type === "m.room.member" && e.content?.membership === "join" && deps.ids.isGhost(String(e.state_key)));
    for (const g of ghosts) await deps.ghosts.leaveRoom(String(g.state_key), row.matrixRoomId).catch(() => undefined);
    await bot.leave(row.matrixRoomId, reason).catch(() => undefined);
    return;
  }
  await deps.store.portals.closePortal(row.mxid, row.gitterRoomId, Date.now());
  await bot.kick(row.matrixRoomId, row.mxid, reason).catch(() => undefined);
}

/**
 * Opens a closed portal again in its old Matrix room: the bot (and for a one-to-one chat, the other person's ghost)
 * back in, the owner's power set, the row open with its cursor at the network room's newest message (what was
 * said while it was closed stays on the network, as for a new portal), and the owner invited. Resolves to null when
 * the room cannot be used any more (gone, or the bridge was put out of it): the caller makes a new one. Throws on
 * outages.
 */
export async function reopenPortal(ctx: SessionContext, closed: Portal, room: NetworkRoom, startAfter?: string): Promise<PortalRoom | null> {
  const roomId = closed.matrixRoomId;
  try {
    const other = directPartner(room);
    const ghost = closed.oneToOne && other ? await ctx.ghosts.ensure(other) : null;
    await bringBotBack(ctx, roomId, ghost);
    if (ghost) await ctx.ghosts.ensureInRoom(ghost, roomId);
    await ensureOwnerPower(ctx, roomId);
  } catch (err) {
    if (!refusedForGood(err)) throw err;
    log.info("a closed portal's Matrix room cannot be used again; making a new one", { mxid: ctx.mxid, gitterRoom: room.id, room: roomId, error: err as Error });
    return null;
  }
  const row: Portal = { ...closed, lastGitterMessageId: startAfter ?? (await ctx.network.startCursor(room.id)) };
  await ctx.store.portals.putPortal(row);
  const portal = new PortalRoom(ctx, row);
  await inviteOwner(ctx, portal, room);
  log.info("portal reopened", { mxid: ctx.mxid, gitterRoom: room.id, room: roomId });
  return portal;
}

/**
 * Lets the owner into their portal: nothing to do when they are joined or invited already, else an invite (for a
 * one-to-one chat from the other person's ghost, marked direct, so clients file it as a chat with them). May throw.
 */
export async function inviteOwner(ctx: SessionContext, portal: PortalRoom, room: NetworkRoom): Promise<OwnerMembership> {
  const bot = ctx.matrix.as(ctx.ids.botMxid);
  const member = await bot.getStateEvent(portal.matrixRoomId, "m.room.member", ctx.mxid);
  if (member?.membership === "join") return "joined";
  if (member?.membership === "invite") return "invited";
  const other = directPartner(room);
  const ghost = portal.row.oneToOne && other ? await ctx.ghosts.ensure(other) : null;
  try {
    if (!ghost) throw new Error("not a one-to-one chat");
    // The invite endpoint takes no is_direct; the member event may carry it (Synapse treats it as an invite).
    await ctx.matrix.as(ghost).sendState(portal.matrixRoomId, "m.room.member", ctx.mxid, { membership: "invite", is_direct: true });
  } catch {
    await bot.invite(portal.matrixRoomId, ctx.mxid);
  }
  return "invited";
}

/** The other person of a direct room, where the network said who. */
function directPartner(room: NetworkRoom): NetworkUser | undefined {
  return room.kind === "direct" ? room.others?.[0] : undefined;
}

/** The bot joined to the room, invited back by the ghost if it had left a one-to-one chat. */
async function bringBotBack(ctx: SessionContext, roomId: string, ghost: string | null): Promise<void> {
  const bot = ctx.matrix.as(ctx.ids.botMxid);
  try {
    await bot.join(roomId);
  } catch (err) {
    if (!ghost || !isMatrixError(err, "M_FORBIDDEN")) throw err;
    await ctx.matrix.as(ghost).invite(roomId, ctx.ids.botMxid);
    await bot.join(roomId);
  }
  ctx.ghosts.noteJoined(roomId, [ctx.ids.botMxid]);
}

/** Gives the owner back the power to talk if someone took it while the portal was closed. */
async function ensureOwnerPower(ctx: SessionContext, roomId: string): Promise<void> {
  const bot = ctx.matrix.as(ctx.ids.botMxid);
  const levels = (await bot.getStateEvent(roomId, "m.room.power_levels")) ?? {};
  const users = (levels.users ?? {}) as Record<string, number>;
  const usersDefault = typeof levels.users_default === "number" ? levels.users_default : 0;
  if ((users[ctx.mxid] ?? usersDefault) >= OWNER_POWER) return;
  await bot.sendState(roomId, "m.room.power_levels", "", { ...levels, users: { ...users, [ctx.mxid]: OWNER_POWER } });
}

/** A 4xx other than rate limiting: the homeserver will not change its mind. */
function refusedForGood(err: unknown): boolean {
  return isMatrixError(err) && err.status >= 400 && err.status < 500 && err.errcode !== "M_LIMIT_EXCEEDED";
}
