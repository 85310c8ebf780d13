// What a portal is bridged to, as MSC2346 bridge info state (`m.bridge`, and `uk.half-shot.bridge` that clients
// read before the MSC settled), so clients can show "bridged to Gitter: org/room". The protocol is the session's
// network (its connector's profile). Set when a portal is created and put back, on the bridge's start, in portals
// that lack it or show stale names.
import { createHash } from "node:crypto";
import type { StateEventInput } from "../matrix/client";
import type { NetworkProfile } from "../network/connector";
import type { NetworkRoom } from "../network/types";
import { getLogger } from "../util/log";
import type { PortalRoom } from "./portal";
import type { SessionContext } from "./session-context";

const log = getLogger("bridge-info");

export const BRIDGE_INFO_TYPES = ["m.bridge", "uk.half-shot.bridge"] as const;

/** What bridge info says of the network: its stable name, its name for people, its web site. */
export type BridgedNetwork = Pick<NetworkProfile, "name" | "displayName" | "webUrl">;

export interface BridgeInfoContent {
  bridgebot: string;
  /** The Matrix user whose portal this is: their login is what bridges it. */
  creator: string;
  protocol: { id: string; displayname: string; external_url: string };
  network?: { id: string; displayname: string; external_url?: string };
  channel: { id: string; displayname: string; external_url?: string };
  [key: string]: unknown;
}

/** One state key per network room (`gitter://gitter/<room id>`), so a room bridged twice over would keep two entries. */
export function bridgeInfoStateKey(network: BridgedNetwork, networkRoomId: string): string {
  return `${network.name}://${network.name}/${networkRoomId}`;
}

/**
 * The content for `room` of `network` as seen by `owner`: the room and its space (a Gitter community, a Mattermost
 * team), with their pages. Pure.
 */
export function bridgeInfoContent(network: BridgedNetwork, room: NetworkRoom, bot: string, owner: string): BridgeInfoContent {
  const content: BridgeInfoContent = {
    bridgebot: bot,
    creator: owner,
    protocol: { id: network.name, displayname: network.displayName, external_url: network.webUrl },
    channel: { id: room.id, displayname: room.name, ...(room.webUrl !== undefined && { external_url: room.webUrl }) },
  };
  const space = room.space;
  if (space) content.network = { id: space.id, displayname: space.name, ...(space.webUrl !== undefined && { external_url: space.webUrl }) };
  return content;
}

/** What the portal's bridge info is recorded as once written: a hash of the content, stable under key order. */
export function bridgeInfoHash(ctx: SessionContext, room: NetworkRoom): string {
  const content = bridgeInfoContent(ctx.network.profile, room, ctx.ids.botMxid, ctx.mxid);
  return createHash("sha256").update(JSON.stringify(sortKeys(content))).digest("hex");
}

/** Both events, for createRoom's initial_state. */
export function bridgeInfoState(ctx: SessionContext, room: NetworkRoom): StateEventInput[] {
  const content = bridgeInfoContent(ctx.network.profile, room, ctx.ids.botMxid, ctx.mxid);
  return BRIDGE_INFO_TYPES.map((type) => ({ type, state_key: bridgeInfoStateKey(ctx.network.profile, room.id), content }));
}

/**
 * Sets both events in an existing portal unless they already hold exactly this content. Sends as the bot, which
 * has power in every portal. May throw (homeserver unreachable, bot not in the room).
 */
export async function ensureBridgeInfo(ctx: SessionContext, portal: PortalRoom, room: NetworkRoom): Promise<boolean> {
  const bot = ctx.matrix.as(ctx.ids.botMxid);
  const key = bridgeInfoStateKey(ctx.network.profile, room.id);
  const want = bridgeInfoContent(ctx.network.profile, room, ctx.ids.botMxid, ctx.mxid);
  let changed = false;
  for (const type of BRIDGE_INFO_TYPES) {
    const have = await bot.getStateEvent(portal.matrixRoomId, type, key);
    if (have && sameJson(have, want)) continue;
    await bot.sendState(portal.matrixRoomId, type, key, want);
    changed = true;
  }
  if (changed) log.info("bridge info set", { room: portal.matrixRoomId, gitterRoom: room.id });
  return changed;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => [k, sortKeys(v)]),
  );
}
