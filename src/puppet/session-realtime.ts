// A session's realtime connection (the network's stream, `ctx.network.realtime()`) and what its events do: new
// messages go to their portals (caught up after a loss, ./realtime-catchup), edits, deletions and reactions too (queued
// behind the portal's earlier network work, so the message they change is bridged first), member changes to the portal's
// ghosts, typing to the typists' ghosts (./typing), room-list changes to the session's room-list follower.
import type { ConnectionState, NetworkEvent, RealtimeListener } from "../network/realtime";
import { getLogger } from "../util/log";
import type { PortalRoom } from "./portal";
import { deleteToMatrix, editToMatrix } from "./portal-edits";
import { reactionToMatrix } from "./portal-reactions";
import { RealtimeCatchUp } from "./realtime-catchup";
import type { RoomListFollower } from "./room-list";
import type { SessionContext } from "./session-context";
import { ghostTyping } from "./typing";

const log = getLogger("session");

/** The session's connection as `status` and the metrics' session states name it. */
const SESSION_STATES: Record<ConnectionState, string> = {
  connecting: "connecting",
  connected: "connected",
  reconnecting: "backing-off",
  "token-invalid": "token-invalid",
  stopped: "stopped",
};

/** What the events need from the session. */
export interface RealtimeHost {
  portal(networkRoomId: string): PortalRoom | undefined;
  readonly roomList: RoomListFollower;
  onState(state: string): void;
}

/** What the session's stream reports to: its events wired to `host`. */
export function sessionListener(ctx: SessionContext, host: RealtimeHost): RealtimeListener {
  const catchUp = new RealtimeCatchUp(ctx, (id) => host.portal(id));
  return {
    event: (event) => onEvent(ctx, host, catchUp, event),
    state: (state) => host.onState(SESSION_STATES[state]),
    mayHaveLost: (loss) => catchUp.lost(loss),
  };
}

function onEvent(ctx: SessionContext, host: RealtimeHost, catchUp: RealtimeCatchUp, event: NetworkEvent): void {
  switch (event.type) {
    case "message":
      return catchUp.message(event.message);
    case "edit":
      return change(ctx, host, event.message.roomId, event.message.id, (p) => editToMatrix(ctx, p.row, event.message));
    case "delete":
      return change(ctx, host, event.roomId, event.messageId, (p) => deleteToMatrix(ctx, p.row, event.messageId));
    // added, removed, hidden, unread, changed: see RoomsChange (src/network/realtime.ts).
    case "rooms":
      return host.roomList.onEvent(event);
    case "membership":
      return memberChanged(host, event);
    case "refused":
      // Not a leave (docs/gitter-fidelity.md): the portal stays; the room list says when the user left.
      return log.warn("the network refused to stream a room", { mxid: ctx.mxid, gitterRoom: event.roomId, error: event.error });
    case "reaction":
      return change(ctx, host, event.roomId, event.messageId, (p) => reactionToMatrix(ctx, p.row, event));
    case "typing":
      return typingChanged(ctx, host, event);
    case "read":
      return;
  }
}

/** An edit, a deletion or a reaction, on the portal's queue behind its earlier network work. */
function change(ctx: SessionContext, host: RealtimeHost, roomId: string, messageId: string, apply: (portal: PortalRoom) => Promise<void>): void {
  const portal = host.portal(roomId);
  if (!portal) return;
  void ctx.queue.push("gitter-to-matrix", portal.matrixRoomId, () => apply(portal)).catch((err: Error) =>
    log.error("bridging a network edit, deletion or reaction failed", { room: portal.matrixRoomId, gitterMessageId: messageId, error: err }),
  );
}

/** Shown at once, off the portal's queue: typing behind a backlog would be shown late, and means nothing then. */
function typingChanged(ctx: SessionContext, host: RealtimeHost, event: Extract<NetworkEvent, { type: "typing" }>): void {
  const portal = host.portal(event.roomId);
  if (portal && ctx.capabilities.typing) void ghostTyping(ctx, portal.matrixRoomId, event.userId, event.typing);
}

function memberChanged(host: RealtimeHost, event: Extract<NetworkEvent, { type: "membership" }>): void {
  const portal = host.portal(event.roomId);
  if (!portal || portal.row.oneToOne) return;
  void portal.memberChanged(event.change, event.userId, event.user).catch((err: Error) =>
    log.warn("could not follow a network membership change", { room: portal.matrixRoomId, gitterUser: event.userId, change: event.change, error: err }),
  );
}
