// Faye channel names the emulator knows (API reference 5.2), parsed in one place so that authorisation,
// routing and tests agree on them. Wildcard subscriptions are never valid: they would let a client listen
// to every room.

export type ChannelRef =
  | { kind: "room"; roomId: string }
  | { kind: "roomChatMessages"; roomId: string }
  | { kind: "roomUsers"; roomId: string }
  | { kind: "roomEvents"; roomId: string }
  | { kind: "user"; userId: string }
  | { kind: "userRooms"; userId: string }
  | { kind: "token"; token: string };

const ROOM = /^\/api\/v1\/rooms\/([^/]+)(?:\/(chatMessages|users|events))?$/;
const USER = /^\/api\/v1\/user\/([^/]+)(\/rooms)?$/;
const TOKEN = /^\/api\/v1\/token\/([^/]+)$/;

const ROOM_KINDS = {
  chatMessages: "roomChatMessages",
  users: "roomUsers",
  events: "roomEvents",
} as const;

/** The channel a subscription names, or undefined when Gitter would answer `404::Unknown subscription`. */
export function parseChannel(channel: string): ChannelRef | undefined {
  if (channel.includes("*")) return undefined;
  let m = ROOM.exec(channel);
  if (m) {
    const sub = m[2] as keyof typeof ROOM_KINDS | undefined;
    return { kind: sub ? ROOM_KINDS[sub] : "room", roomId: m[1] };
  }
  m = USER.exec(channel);
  if (m) return { kind: m[2] ? "userRooms" : "user", userId: m[1] };
  m = TOKEN.exec(channel);
  if (m) return { kind: "token", token: m[1] };
  return undefined;
}

/** The room a channel belongs to, for channels that stop delivering when the user leaves the room. */
export function roomOfChannel(channel: string): string | undefined {
  const ref = parseChannel(channel);
  return ref && "roomId" in ref ? ref.roomId : undefined;
}

export const channels = {
  room: (roomId: string) => `/api/v1/rooms/${roomId}`,
  chatMessages: (roomId: string) => `/api/v1/rooms/${roomId}/chatMessages`,
  roomUsers: (roomId: string) => `/api/v1/rooms/${roomId}/users`,
  roomEvents: (roomId: string) => `/api/v1/rooms/${roomId}/events`,
  userRooms: (userId: string) => `/api/v1/user/${userId}/rooms`,
  token: (token: string) => `/api/v1/token/${token}`,
  ping: "/api/v1/ping2",
};
