// What a network's realtime stream tells the core: typed events, its connection state, and when events may have
// been lost so the core catches up from its cursors. See docs/network-interface.md for the delivery contract.
import type { Cursor, NetworkMessage, NetworkRoom, NetworkUser } from "./types";

export type NetworkEvent =
  /** A new message, in history order per room, at most once per stream (see `RealtimeStream.watch`). */
  | { type: "message"; message: NetworkMessage }
  /** A message's text changed. */
  | { type: "edit"; message: NetworkMessage }
  | { type: "delete"; roomId: string; messageId: string }
  /** `reaction` in the network's own vocabulary (an emoji name on Mattermost). */
  | { type: "reaction"; roomId: string; messageId: string; userId: string; reaction: string; added: boolean }
  /** The user read the room (on any client) up to `at` (ms, the network's clock). */
  | { type: "read"; roomId: string; userId: string; at: number }
  | { type: "typing"; roomId: string; userId: string; typing: boolean }
  /** Someone other than the user joined or left a room; `user` where the network sends who joined (Gitter does). */
  | { type: "membership"; roomId: string; userId: string; change: "joined" | "left"; user?: NetworkUser }
  /**
   * The network refused a watched room's events; the room is no longer watched. It says nothing about the user's
   * membership (a refusal is not a leave: the room list's own events say that), so the core keeps the room's portal.
   */
  | { type: "refused"; roomId: string; error?: Error }
  /** The user's own room list changed: see `RoomsChange`. Reported for every room of the user, watched or not. */
  | { type: "rooms"; change: RoomsChange; roomId: string; room?: NetworkRoom };

/**
 * added: the user joined or opened a room (`room` given where the network sends it; else ask `getRoom`); removed:
 * the user left it, or may no longer see it; hidden: the user closed it (still theirs, see `NetworkRoom.hidden`);
 * unread: its unread messages rose (a new message from someone else, also into a hidden room); changed: its name
 * or topic.
 */
export type RoomsChange = "added" | "removed" | "hidden" | "unread" | "changed";

export type RoomsEvent = Extract<NetworkEvent, { type: "rooms" }>;

/** `reconnecting`: lost, waiting before the next attempt. `token-invalid` and `stopped` are final until start(). */
export type ConnectionState = "connecting" | "connected" | "reconnecting" | "token-invalid" | "stopped";

export interface StateDetail {
  /** reconnecting: how long until the next attempt. */
  delayMs?: number;
  /** reconnecting and token-invalid: what went wrong, token-free. */
  error?: Error;
}

/** Events may be missing. The core catches each room up with `historyAfter` from its own stored cursor. */
export interface Loss {
  /** Watched rooms whose events may be missing. */
  rooms: string[];
  /** The user's room list may have changed unseen: list the rooms again. */
  roomList: boolean;
  /**
   * The stream itself already delivered every new message of those rooms after their cursors (it catches up
   * before it delivers); only edits, deletions, reactions, reads and membership may be missing.
   */
  messagesCaughtUp: boolean;
  reason: string;
}

export interface RealtimeListener {
  event(event: NetworkEvent): void;
  state(state: ConnectionState, detail: StateDetail): void;
  mayHaveLost(loss: Loss): void;
}

export interface RealtimeStream {
  readonly state: ConnectionState;
  /** Watched rooms not live yet (waiting for the connection, or being caught up by the stream itself), for metrics. */
  readonly roomsCatchingUp: number;
  /** Connects in the background and reports to `listener` (one per stream). Never throws; no-op when running. */
  start(listener: RealtimeListener): void;
  /** Disconnects and stops every timer; reports "stopped". Watched rooms are kept for a later start(). */
  stop(): void;
  /**
   * Reports the room's events from now on. `cursor` is the last message the core delivered (null: from now):
   * a stream whose Loss says `messagesCaughtUp` delivers every message after it, in order, exactly once. Room
   * events (message, edit, delete, reaction, read, typing, membership) come only for watched rooms; "rooms"
   * events always. No-op for a room already watched. Never throws.
   */
  watch(roomId: string, cursor: Cursor | null): void;
  /** Stops reporting a room. Never throws. */
  unwatch(roomId: string): void;
}
