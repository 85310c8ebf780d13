// A session's realtime connection and what its pushes do: new Gitter messages, edits and deletions go to their
// portals (edits and deletions queued behind the portal's earlier Gitter work, so the message they change is
// bridged first), member changes to the portal's ghosts, room-list changes to the session's room-list follower.
// Gitter's pushes become the network interface's values here, which is all the portals take.
import { toMessage, toUser } from "../gitter/network-convert";
import { toRoomsEvent } from "../gitter/network-rooms";
import { GitterRealtime } from "../gitter/realtime";
import type { Gate } from "../util/gate";
import { getLogger } from "../util/log";
import type { PortalRoom } from "./portal";
import { deleteToMatrix, editToMatrix } from "./portal-edits";
import type { RoomListFollower } from "./room-list";
import type { SessionContext } from "./session-context";

const log = getLogger("session");

export interface RealtimeOptions {
  fayeUrl: string;
  token: string;
  connectGate?: Gate;
}

/** What the pushes need from the session. */
export interface RealtimeHost {
  portal(gitterRoomId: string): PortalRoom | undefined;
  readonly roomList: RoomListFollower;
  onState(state: string): void;
}

/** Makes the user's realtime connection, its pushes wired to `host`; not started. */
export function sessionRealtime(ctx: SessionContext, opts: RealtimeOptions, host: RealtimeHost): GitterRealtime {
  const rt = new GitterRealtime({
    fayeUrl: opts.fayeUrl,
    token: opts.token,
    connectGate: opts.connectGate,
    userId: ctx.gitterUserId,
    // Thread replies are excluded from lists unless asked for; a catch-up must not lose them.
    fetchMissed: (roomId, afterId) => ctx.rest.listMessages(roomId, { afterId, limit: 100, includeThreads: true }),
    catchUpPageSize: 100,
  });
  const change = (roomId: string, messageId: string, apply: (portal: PortalRoom) => Promise<void>) => {
    const portal = host.portal(roomId);
    if (!portal) return;
    void ctx.queue.push("gitter-to-matrix", portal.matrixRoomId, () => apply(portal)).catch((err: Error) =>
      log.error("bridging a Gitter edit or deletion failed", { room: portal.matrixRoomId, gitterMessageId: messageId, error: err }),
    );
  };
  rt.on("state", (state) => host.onState(state));
  rt.on("message", (roomId, msg) => {
    const portal = host.portal(roomId);
    void portal?.fromNetwork(toMessage(roomId, msg)).catch((err: Error) =>
      log.error("bridging a Gitter message failed", { room: portal.matrixRoomId, gitterMessageId: msg.id, error: err }),
    );
  });
  rt.on("messageUpdate", (roomId, msg) => change(roomId, msg.id, (p) => editToMatrix(ctx, p.row, toMessage(roomId, msg))));
  rt.on("messageRemove", (roomId, id) => change(roomId, id, (p) => deleteToMatrix(ctx, p.row, id)));
  // As the Gitter adapter's stream reports them: added, removed, hidden, unread (src/gitter/network-rooms.ts).
  rt.on("userRoom", (operation, room) => {
    const event = toRoomsEvent(operation, room);
    if (event) host.roomList.onEvent(event);
  });
  rt.on("roomMember", (roomId, operation, user) => {
    const portal = host.portal(roomId);
    if (!portal || portal.row.oneToOne || (operation !== "create" && operation !== "remove")) return;
    // A join names its user in full (Gitter sends the user with it); a leave, only the user's id.
    const joined = operation === "create" && typeof user.username === "string" ? toUser({ ...user, username: user.username }) : undefined;
    void portal.memberChanged(operation === "create" ? "joined" : "left", user.id, joined).catch((err: Error) =>
      log.warn("could not follow a Gitter membership change", { room: portal.matrixRoomId, gitterUser: user.id, operation, error: err }),
    );
  });
  rt.on("watchDenied", (roomId, err) => log.warn("Gitter refused to stream a room", { mxid: ctx.mxid, gitterRoom: roomId, error: err }));
  ctx.rest.limiter.onWait((wait) => ctx.metrics?.rateLimitWait(wait));
  return rt;
}
