// Gitter's realtime client (./realtime) as the network interface's RealtimeStream. GitterRealtime already
// delivers each watched room's new messages once and in order from the cursor it was given, catching up over REST
// on every reconnect (./realtime-room); what it cannot catch up is what changed meanwhile without a new message
// (edits, deletions, the room list), so every reconnect after the first connection reports a Loss whose
// `messagesCaughtUp` is true.
import type { ConnectionState, Loss, NetworkEvent, RealtimeListener, RealtimeStream, StateDetail } from "../network/realtime";
import type { Cursor } from "../network/types";
import { getLogger } from "../util/log";
import { toMessage, toNetworkError, toUser } from "./network-convert";
import { toRoomsEvent } from "./network-rooms";
import { GitterRealtime, type ConnectionState as GitterState, type GitterRealtimeOptions } from "./realtime";
import type { GitterRoom, GitterUser, LiveOperation } from "./types";

const log = getLogger("gitter.network");

const STATES: Record<GitterState, ConnectionState> = {
  connecting: "connecting",
  connected: "connected",
  "backing-off": "reconnecting",
  "token-invalid": "token-invalid",
  stopped: "stopped",
};

export class GitterStream implements RealtimeStream {
  private readonly rt: GitterRealtime;
  private listener: RealtimeListener | undefined;
  private wasConnected = false;
  private readonly watched = new Set<string>();

  constructor(options: GitterRealtimeOptions) {
    this.rt = new GitterRealtime(options);
    this.rt.on("state", (state, detail) => this.onState(state, detail));
    this.rt.on("message", (roomId, m) => this.emit({ type: "message", message: toMessage(roomId, m) }));
    this.rt.on("messageUpdate", (roomId, m) => this.emit({ type: "edit", message: toMessage(roomId, m) }));
    this.rt.on("messageRemove", (roomId, messageId) => this.emit({ type: "delete", roomId, messageId }));
    this.rt.on("userRoom", (op, room) => this.onUserRoom(op, room));
    this.rt.on("roomMember", (roomId, op, user) => this.onMember(roomId, op, user));
    // A refusal is not a leave on Gitter (docs/gitter-fidelity.md): the room list's own events say who left.
    this.rt.on("watchDenied", (roomId, error) => {
      if (!this.watched.delete(roomId)) return;
      this.call((l) => l.event({ type: "refused", roomId, error }));
    });
  }

  get state(): ConnectionState {
    return STATES[this.rt.state];
  }

  get roomsCatchingUp(): number {
    return this.rt.roomsCatchingUp;
  }

  start(listener: RealtimeListener): void {
    this.listener = listener;
    this.rt.start();
  }

  stop(): void {
    this.rt.stop();
  }

  watch(roomId: string, cursor: Cursor | null): void {
    this.watched.add(roomId);
    this.rt.watchRoom(roomId, cursor);
  }

  unwatch(roomId: string): void {
    this.watched.delete(roomId);
    this.rt.unwatchRoom(roomId);
  }

  private onState(state: GitterState, detail: StateDetail): void {
    const out: StateDetail = {};
    if (detail.delayMs !== undefined) out.delayMs = detail.delayMs;
    if (detail.error) out.error = state === "token-invalid" ? (toNetworkError(detail.error) as Error) : detail.error;
    this.call((l) => l.state(STATES[state], out));
    if (state !== "connected") return;
    if (this.wasConnected) {
      const loss: Loss = { rooms: [...this.watched], roomList: true, messagesCaughtUp: true, reason: "reconnected" };
      this.call((l) => l.mayHaveLost(loss));
    }
    this.wasConnected = true;
  }

  /** A join names its user in full (Gitter sends the user with it); a leave, only the user's id. */
  private onMember(roomId: string, op: LiveOperation, user: Partial<GitterUser> & { id: string }): void {
    if (op !== "create" && op !== "remove") return;
    const joined = op === "create" && typeof user.username === "string" ? toUser({ ...user, username: user.username }) : undefined;
    this.emit({ type: "membership", roomId, userId: user.id, change: op === "create" ? "joined" : "left", ...(joined ? { user: joined } : {}) });
  }

  /** The user's room list: added, removed, hidden, unread or renamed (./network-rooms). */
  private onUserRoom(op: LiveOperation, room: Partial<GitterRoom> & { id: string }): void {
    const event = toRoomsEvent(op, room);
    if (event) this.emit(event);
  }

  private emit(event: NetworkEvent): void {
    if (event.type !== "rooms" && !this.watched.has(roomOf(event))) return;
    this.call((l) => l.event(event));
  }

  /** A throwing listener must not break the client's own bookkeeping. */
  private call(fn: (l: RealtimeListener) => void): void {
    if (!this.listener) return;
    try {
      fn(this.listener);
    } catch (err) {
      log.error("network listener threw", { error: err as Error });
    }
  }
}

function roomOf(event: Exclude<NetworkEvent, { type: "rooms" }>): string {
  return "message" in event ? event.message.roomId : event.roomId;
}
