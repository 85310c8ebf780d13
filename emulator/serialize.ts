// Turns internal records into the JSON Gitter's 2020 serializers emit (API reference, section 2).
// Fields with no value are left out rather than sent as null. Pure: reads through SerializeContext only.
import type { EmMessage, EmRoom, EmUser } from "./types";

export type Json = Record<string, unknown>;

export interface SerializeContext {
  readonly publicUrl: string;
  getUser(id: string): EmUser | undefined;
  memberCount(roomId: string): number;
  isMember(userId: string, roomId: string): boolean;
  unreadCounts(userId: string, roomId: string): { unreadItems: number; mentions: number };
  /** Absent for a room the user hid (or never visited). */
  lastAccessTime(userId: string, roomId: string): string | undefined;
  isUnread(userId: string, roomId: string, messageId: string): boolean;
}

export function userJson(ctx: SerializeContext, user: EmUser): Json {
  const base = user.avatarUrl ?? `${ctx.publicUrl}/avatars/uv/${user.avatarVersion}/${encodeURIComponent(user.username)}`;
  const sized = (s: number) => (user.avatarUrl ? user.avatarUrl : `${base}?s=${s}`);
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName || user.username,
    url: `/${user.username}`,
    avatarUrl: base,
    avatarUrlSmall: sized(60),
    avatarUrlMedium: sized(128),
    v: user.v,
  };
}

/** The current user as `/v1/user` shows it: with `providers`. */
export function currentUserJson(ctx: SerializeContext, user: EmUser): Json {
  return { ...userJson(ctx, user), providers: ["github"] };
}

function fromUserJson(ctx: SerializeContext, msg: EmMessage): Json {
  const user = ctx.getUser(msg.fromUserId);
  return user ? userJson(ctx, user) : { id: msg.fromUserId, username: "ghost", displayName: "ghost", url: "/ghost", removed: true };
}

/** A message; `viewerId` adds the per-user `unread` flag (absent in realtime pushes). */
export function messageJson(ctx: SerializeContext, msg: EmMessage, viewerId?: string): Json {
  const out: Json = { id: msg.id, text: msg.text, html: msg.html };
  if (msg.status) out.status = true;
  out.sent = msg.sent.toISOString();
  if (msg.editedAt) out.editedAt = msg.editedAt.toISOString();
  if (msg.parentId) out.parentId = msg.parentId;
  if (msg.threadMessageCount > 0) out.threadMessageCount = msg.threadMessageCount;
  out.fromUser = fromUserJson(ctx, msg);
  if (viewerId) out.unread = ctx.isUnread(viewerId, msg.roomId, msg.id);
  out.readBy = msg.readBy.size;
  out.urls = msg.urls.map((u) => ({ ...u }));
  out.mentions = msg.mentions.map((m) => ({ ...m }));
  out.issues = [];
  out.meta = [];
  // zero804/gitter modules/serialization/lib/get-model-version.js: a version of 0 (a message never saved, as
  // the spam check's) is left out.
  if (msg.v > 0) out.v = msg.v;
  return out;
}

function otherParty(ctx: SerializeContext, userId: string, room: EmRoom): EmUser | undefined {
  if (!room.pair) return undefined;
  const otherId = room.pair[0] === userId ? room.pair[1] : room.pair[0];
  return ctx.getUser(otherId);
}

function githubType(room: EmRoom): string {
  if (room.oneToOne) return "ONETOONE";
  return room.uri && room.uri.includes("/") ? "REPO" : "ORG";
}

/** A room as `userId` sees it (name and `user` of a one-to-one depend on who asks). */
export function roomJson(ctx: SerializeContext, userId: string, room: EmRoom): Json {
  const counts = ctx.unreadCounts(userId, room.id);
  const other = otherParty(ctx, userId, room);
  const out: Json = {
    id: room.id,
    name: room.oneToOne ? (other?.displayName ?? room.name) : room.name,
    topic: room.topic,
  };
  if (other) out.avatarUrl = userJson(ctx, other).avatarUrl;
  else out.avatarUrl = `${ctx.publicUrl}/avatars/${encodeURIComponent(room.uri?.split("/")[0] ?? room.name)}`;
  if (!room.oneToOne && room.uri) out.uri = room.uri;
  out.oneToOne = room.oneToOne;
  out.userCount = ctx.memberCount(room.id);
  if (other) out.user = userJson(ctx, other);
  Object.assign(out, counts);
  // zero804/gitter server/serializers/rest/troupe-strategy.js: no lastAccessTime at all for a hidden room.
  const lastAccessTime = ctx.lastAccessTime(userId, room.id);
  if (lastAccessTime !== undefined) out.lastAccessTime = lastAccessTime;
  out.lurk = false;
  out.url = room.oneToOne ? `/${other?.username ?? ""}` : `/${room.uri}`;
  out.githubType = githubType(room);
  if (!room.oneToOne) out.security = room.security;
  out.noindex = false;
  out.tags = [];
  out.providers = [];
  out.roomMember = ctx.isMember(userId, room.id);
  if (room.groupId) out.groupId = room.groupId;
  out.public = !room.oneToOne && room.security === "PUBLIC";
  out.v = room.v;
  return out;
}
