// The public shape of GitterRealtime (realtime.ts): its options, connection states and typed events.
import type { BackoffPolicy } from "../util/backoff";
import type { FetchMissed } from "./realtime-room";
import type { RequestGate } from "./rest-transport";
import type { GitterMessage, GitterRoom, GitterUser, LiveOperation } from "./types";

export type ConnectionState = "connecting" | "connected" | "backing-off" | "token-invalid" | "stopped";

export interface StateDetail {
  /** backing-off: how long until the next attempt. */
  delayMs?: number;
  /** backing-off and token-invalid: what went wrong (token-free text). */
  error?: Error;
}

export interface GitterRealtimeEvents {
  state: [state: ConnectionState, detail: StateDetail];
  /** A new message, each exactly once, in id order per room. */
  message: [roomId: string, message: GitterMessage];
  /** An edit (v > 1, newer than any version seen) of a message delivered earlier. */
  messageUpdate: [roomId: string, message: GitterMessage];
  messageRemove: [roomId: string, messageId: string];
  /** The user's room list changed: create (joined / new one-to-one), patch/update, remove (left or hidden). */
  userRoom: [operation: LiveOperation, room: Partial<GitterRoom> & { id: string }];
  roomMember: [roomId: string, operation: LiveOperation, user: Partial<GitterUser> & { id: string }];
  /** Gitter refused the room's subscription (no longer a member, unknown room); the room is no longer watched. */
  watchDenied: [roomId: string, error: Error];
  /** fetchMissed failed; pushes for the room stay held and the catch-up is retried with backoff. */
  catchUpFailed: [roomId: string, error: Error];
}

export interface GitterRealtimeOptions {
  /** e.g. https://ws.gitter.im/bayeux */
  fayeUrl: string;
  token: string;
  userId: string;
  /** One page of a room's messages after `afterId`, oldest first (REST `afterId` + `limit`). May reject. */
  fetchMissed: FetchMissed;
  /** Page size fetchMissed asks for, if fixed: a shorter page ends a catch-up without one more request. */
  catchUpPageSize?: number;
  /** A session with no answer at all for this long is dead. Default 45 s; pings go out every third of it. */
  livenessTimeoutMs?: number;
  /**
   * Shared between users to bound how many handshake and subscribe at once (a restart with thousands of users
   * would otherwise flood Gitter); the long-poll and the catch-ups run outside it.
   */
  connectGate?: RequestGate;
  /** Reconnect delays. Default 1 s doubling to 60 s, with jitter. */
  backoff?: BackoffPolicy;
}
