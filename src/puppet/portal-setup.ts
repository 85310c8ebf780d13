// Opening a portal: the private Matrix room for one network room of one user, created by the bot (or, for a
// direct chat, by the other person's ghost, so clients file it as a direct chat with them).
import type { NetworkRoom, NetworkUser } from "../network/types";
import { getLogger } from "../util/log";
import { bridgeInfoHash, bridgeInfoState, ensureBridgeInfo } from "./bridge-info";
import { PortalRoom } from "./portal";
import { reopenPortal } from "./portal-reopen";
import type { SessionContext } from "./session-context";

const log = getLogger("portal-setup");

/**
 * Returns the user's portal for `room`. When there is none open, the room of a closed one is used again if it can
 * be, else a Matrix room is created; either way the user is invited and `created` is true. A portal (re)opened
 * starts from now, or after `startAfter` (a message id) when given.
 */
export async function openPortal(ctx: SessionContext, room: NetworkRoom, startAfter?: string): Promise<{ portal: PortalRoom; created: boolean }> {
  const existing = await ctx.store.portals.getPortal(ctx.mxid, room.id);
  if (existing) {
    const portal = new PortalRoom(ctx, existing);
    refreshBridgeInfo(ctx, portal, room);
    return { portal, created: false };
  }
  const closed = await ctx.store.portals.getClosedPortal(ctx.mxid, room.id);
  const reopened = closed && (await reopenPortal(ctx, closed, room, startAfter));
  if (reopened) {
    refreshBridgeInfo(ctx, reopened, room);
    return { portal: reopened, created: true };
  }
  // New portals start from now: history stays on the network. An empty room's start is a cursor for the moment,
  // so that a restart before its first message catches up from here rather than from the restart.
  const start = startAfter ?? (await ctx.network.startCursor(room.id));
  const other = room.kind === "direct" ? room.others?.[0] : undefined;
  const matrixRoomId = other ? await createDirectRoom(ctx, room, other) : await createGroupRoom(ctx, room);
  const row = {
    mxid: ctx.mxid,
    gitterRoomId: room.id,
    matrixRoomId,
    oneToOne: room.kind === "direct",
    lastGitterMessageId: start,
    // The room was created with the bridge info in its initial state.
    bridgeInfoHash: bridgeInfoHash(ctx, room),
  };
  await ctx.store.portals.putPortal(row);
  log.info("portal opened", { mxid: ctx.mxid, gitterRoom: room.id, room: matrixRoomId });
  return { portal: new PortalRoom(ctx, row), created: true };
}

/**
 * A portal's power levels: the owner (50) may talk, redact and name the room for themselves, but only the bridge
 * (100) invites or changes any other state, so the owner cannot open their portal (join rules, guest access,
 * history visibility) to people who would then read the Gitter room, nor spoil the bridge info.
 */
export function portalPowerLevels(users: Record<string, number>): Record<string, unknown> {
  const owner = 50;
  const byOwner = ["m.room.name", "m.room.topic", "m.room.avatar"];
  return {
    users,
    events_default: 0,
    invite: 100,
    state_default: 100,
    events: Object.fromEntries([...byOwner.map((t) => [t, owner]), ["m.room.power_levels", 100]]),
  };
}

/**
 * Brings an existing portal's bridge info up to date in the background: portals made before bridge info existed
 * get it, a room renamed on the network too. Never throws; failures are logged.
 */
export function refreshBridgeInfo(ctx: SessionContext, portal: PortalRoom, room: NetworkRoom): void {
  // Recorded as written: the room already holds it (only the bridge has the power to change it), so a start
  // costs the homeserver nothing for the portals whose network room did not change.
  const hash = bridgeInfoHash(ctx, room);
  if (portal.row.bridgeInfoHash === hash) return;
  void ensureBridgeInfo(ctx, portal, room)
    .then(() => ctx.store.portals.setBridgeInfoHash(ctx.mxid, room.id, hash))
    .then(() => void (portal.row.bridgeInfoHash = hash))
    .catch((err: Error) => log.warn("could not set bridge info", { room: portal.matrixRoomId, gitterRoom: room.id, error: err }));
}

/**
 * A portal's name: the room's, with its space's when the network qualifies it (a Mattermost channel is
 * "Town Square (Acme)": every team has a Town Square).
 */
export function portalName(room: NetworkRoom): string {
  return room.qualifier ? `${room.name} (${room.qualifier})` : room.name;
}

async function createGroupRoom(ctx: SessionContext, room: NetworkRoom): Promise<string> {
  const bot = ctx.ids.botMxid;
  const roomId = await ctx.matrix.as(bot).createRoom({
    preset: "private_chat",
    visibility: "private",
    name: portalName(room),
    topic: room.topic || undefined,
    invite: [ctx.mxid],
    initialState: bridgeInfoState(ctx, room),
    powerLevelContentOverride: portalPowerLevels({ [bot]: 100, [ctx.mxid]: 50 }),
  });
  ctx.ghosts.noteJoined(roomId, [bot]);
  return roomId;
}

async function createDirectRoom(ctx: SessionContext, room: NetworkRoom, other: NetworkUser): Promise<string> {
  const ghost = await ctx.ghosts.ensure(other);
  const bot = ctx.ids.botMxid;
  const roomId = await ctx.matrix.as(ghost).createRoom({
    preset: "trusted_private_chat",
    visibility: "private",
    isDirect: true,
    invite: [ctx.mxid, bot],
    initialState: bridgeInfoState(ctx, room),
    powerLevelContentOverride: portalPowerLevels({ [ghost]: 100, [bot]: 100, [ctx.mxid]: 50 }),
  });
  await ctx.matrix.as(bot).join(roomId);
  ctx.ghosts.noteJoined(roomId, [ghost, bot]);
  return roomId;
}

/**
 * Brings the network room's people in as ghosts, up to the configured cap, most recently active first.
 * Runs in the background after the portal opened; one failing ghost does not stop the others.
 */
export async function populateMembers(ctx: SessionContext, portal: PortalRoom): Promise<number> {
  const roomId = portal.row.gitterRoomId;
  const recent = (await ctx.network.latestMessages(roomId, 100)).reverse();
  const known = new Map<string, NetworkUser>();
  for (const m of recent) if (m.sender && !known.has(m.senderId)) known.set(m.senderId, m.sender);
  // One more than the cap: the user may be among them. A sender the network did not describe is found here.
  const members = await ctx.network.members(roomId, ctx.maxPortalMembers + 1);
  for (const u of members) if (!known.has(u.id)) known.set(u.id, u);
  const ranked = new Set([...recent.map((m) => m.senderId), ...members.map((u) => u.id)]);
  const people = [...ranked]
    .flatMap((id) => known.get(id) ?? [])
    .filter((u) => u.id !== ctx.network.self.id)
    .slice(0, ctx.maxPortalMembers);
  let joined = 0;
  for (const user of people) {
    try {
      const mxid = await ctx.ghosts.ensure(user);
      await ctx.ghosts.ensureInRoom(mxid, portal.matrixRoomId);
      joined++;
    } catch (err) {
      log.warn("could not add a ghost to a portal", { room: portal.matrixRoomId, gitterUser: user.username, error: err as Error });
    }
  }
  return joined;
}
