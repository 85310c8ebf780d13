// The seam between the emulator's state and its realtime transports (Faye and HTTP streaming).
// The state emits one LiveEvent per change, already serialized as Gitter would push it (no current user,
// so `unread` is absent); the transports only route events to channels and connections.

export type LiveOperation = "create" | "update" | "patch" | "remove";

export type LiveEvent =
  /**
   * A chat message was created, saved again (update, v raised: an edit, or a thread reply counted on a root), had its
   * read count changed (patch) or was deleted (remove).
   */
  | { kind: "chat"; roomId: string; operation: LiveOperation; model: Record<string, unknown> }
  /** A room appeared in (create), changed in (patch/update) or left (remove) a user's room list. */
  | { kind: "userRooms"; userId: string; operation: LiveOperation; model: Record<string, unknown> }
  /** A member joined (create) or left (remove) a room. */
  | { kind: "roomUsers"; roomId: string; operation: LiveOperation; model: Record<string, unknown> }
  /** A token was revoked: its realtime connections must be told and closed. */
  | { kind: "tokenRevoked"; token: string; userId: string }
  /** The control API asked to drop every open stream and realtime connection. */
  | { kind: "cutConnections" };

export interface LiveSource {
  on(event: "live", listener: (e: LiveEvent) => void): unknown;
  off(event: "live", listener: (e: LiveEvent) => void): unknown;
}
