// Reading a room as a Matrix client does, for e2e assertions beyond the messages MatrixUser records: raw timeline
// events (reactions, redactions, relations), state, members with their display names, receipts.
import type { MatrixClient } from "matrix-bot-sdk";

export interface RawEvent {
  type: string;
  sender: string;
  event_id: string;
  state_key?: string;
  redacts?: string;
  content: Record<string, unknown>;
  unsigned?: Record<string, unknown>;
}

/** The room's latest `limit` timeline events, oldest first. */
export async function roomEvents(client: MatrixClient, roomId: string, limit = 200): Promise<RawEvent[]> {
  const res = (await client.doRequest("GET", `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/messages`, { dir: "b", limit })) as { chunk: RawEvent[] };
  return res.chunk.reverse();
}

/** A state event's content, or undefined when the room has none. */
export async function stateOf(client: MatrixClient, roomId: string, type: string, key = ""): Promise<Record<string, unknown> | undefined> {
  try {
    return (await client.getRoomStateEvent(roomId, type, key)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Joined members -> display name. */
export async function joinedMembers(client: MatrixClient, roomId: string): Promise<Map<string, string | undefined>> {
  const res = (await client.doRequest("GET", `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/joined_members`)) as {
    joined: Record<string, { display_name?: string }>;
  };
  return new Map(Object.entries(res.joined).map(([id, m]) => [id, m.display_name]));
}
