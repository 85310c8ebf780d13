// What Gitter's Faye channels carry for one user's realtime client (./realtime): the channels' names, and the checks
// a push or a subscription's snapshot passes before it reaches a room's feed (./realtime-room). A malformed model
// passed on could move a room's cursor past real messages or break a portal.
import { getLogger } from "../util/log";
import { BayeuxError, type BayeuxMessage } from "./realtime-bayeux";
import type { Snapshot } from "./realtime-room";
import type { GitterMessage } from "./types";
import { checkList, checkMessage, checkRoom, isObjectId, type Problem } from "./validate";

const log = getLogger("gitter.realtime");

export const PING_CHANNEL = "/api/v1/ping2";
export const ROOM_CHANNEL = /^\/api\/v1\/rooms\/([^/]+)\/(chatMessages|users)$/;
/** Statuses of a refused room subscription: the room is dropped, the session kept. */
export const DENIED = new Set([400, 403, 404]);
/**
 * Newest messages asked for with each room's subscription on (re)connect. A room with fewer new messages than
 * this since we last looked is caught up by the subscription alone, with no REST request of its own.
 */
export const SNAPSHOT_LIMIT = 5;

const OPERATIONS: ReadonlySet<unknown> = new Set(["create", "update", "patch", "remove"]);

/** What is wrong with a push's model for its channel kind, or null. Full models are checked, partial ones by id. */
export function pushProblem(kind: string, operation: unknown, model: { id: string }): Problem {
  if (!OPERATIONS.has(operation)) return `unknown operation ${JSON.stringify(String(operation).slice(0, 40))}`;
  const full = operation === "create" || operation === "update";
  if (kind === "chatMessages") return full ? checkMessage(model) : isObjectId(model.id) ? null : "message id is not an ObjectId";
  if (kind === "userRooms" && operation === "create") return checkRoom(model);
  return model.id === "" ? "empty id" : null;
}

const CHAT_SNAPSHOT = checkList(checkMessage);

/**
 * The chat snapshot a subscribe reply carries, if it is a list of well-formed messages (checked as REST lists
 * are: a malformed one could move the room's cursor past real messages). Otherwise undefined, and the room is
 * caught up over REST.
 */
export function snapshotOf(reply: BayeuxMessage | BayeuxError | undefined): Snapshot | undefined {
  const messages = reply instanceof BayeuxError ? undefined : reply?.ext?.snapshot;
  if (messages === undefined) return undefined;
  const problem = CHAT_SNAPSHOT(messages);
  if (problem) {
    log.warn("ignored a malformed subscription snapshot from Gitter", { problem });
    return undefined;
  }
  return { messages: messages as GitterMessage[], limit: SNAPSHOT_LIMIT };
}

export function roomChannels(roomId: string): string[] {
  return [`/api/v1/rooms/${roomId}/chatMessages`, `/api/v1/rooms/${roomId}/users`];
}

export function isRefusedHandshake(err: unknown): boolean {
  return err instanceof BayeuxError && err.channel === "/meta/handshake" && err.status === 401;
}
