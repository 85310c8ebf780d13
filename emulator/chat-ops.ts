// Sending, editing, deleting and reading messages, with Gitter's checks (chat-service.js) and the live events
// its live collections would push. Every function throws ApiError carrying Gitter's status and text.
import { isObjectId } from "./ids";
import { renderMessage } from "./render";
import type { EmulatorState } from "./state";
import { ApiError, type EmMention, type EmMessage } from "./types";

export const MAX_TEXT = 4096;

export interface PostInput {
  text: unknown;
  status?: unknown;
  parentId?: unknown;
  /** Backdates the message (fixture history): no unread items are created for it. */
  sentAtMs?: number;
}

export interface EditOptions {
  /** Skips the author and edit-window checks (control API). */
  force?: boolean;
}

function roomOrThrow(state: EmulatorState, roomId: string) {
  const room = state.getRoom(roomId);
  if (!room) throw new ApiError(404, "Not Found");
  return room;
}

function messageOrThrow(state: EmulatorState, roomId: string, messageId: string): EmMessage {
  roomOrThrow(state, roomId);
  const msg = isObjectId(messageId) ? state.chat.getInRoom(roomId, messageId) : undefined;
  if (!msg) throw new ApiError(404, "Not Found");
  return msg;
}

function checkLength(text: string): void {
  if (text.length > MAX_TEXT) throw new ApiError(400, "Message exceeds maximum size");
}

function mentionsFor(state: EmulatorState, screenNames: string[]): EmMention[] {
  return screenNames.map((screenName) => {
    const user = state.findUserByName(screenName);
    return user ? { screenName, userId: user.id, userIds: [] } : { screenName, userIds: [] };
  });
}

function render(state: EmulatorState, text: string): Pick<EmMessage, "html" | "mentions" | "urls"> {
  const r = renderMessage(text);
  return { html: r.html, mentions: mentionsFor(state, r.screenNames), urls: r.urls };
}

function isMentioned(msg: EmMessage, userId: string): boolean {
  return msg.mentions.some((m) => m.userId === userId);
}

function pushUnreadCounts(state: EmulatorState, userId: string, roomId: string): void {
  const model = { id: roomId, ...state.unread.counts(userId, roomId) };
  state.emitLive({ kind: "userRooms", userId, operation: "patch", model });
}

function changeThreadCount(state: EmulatorState, parent: EmMessage, delta: number): void {
  parent.threadMessageCount = Math.max(0, parent.threadMessageCount + delta);
  // zero804/gitter modules/chats/lib/chat-service.js addToThreadMessageCount saves the parent; every save raises
  // its version (modules/persistence/lib/install-version-inc-middleware.js) and becomes a full `update` push
  // (server/services/persistence-service-events.js, live-collection-handlers/live-collection-chats.js), the
  // same push as an edit, with text and html unchanged.
  parent.v += 1;
  state.emitLive({ kind: "chat", roomId: parent.roomId, operation: "update", model: state.serializeMessage(parent) });
}

function parentOrThrow(state: EmulatorState, roomId: string, parentId: unknown): EmMessage | undefined {
  if (parentId === undefined || parentId === null || parentId === "") return undefined;
  if (!isObjectId(parentId)) throw new ApiError(400, "parentId must be a valid message ID");
  const parent = state.chat.getInRoom(roomId, parentId);
  if (!parent) throw new ApiError(400, `Parent message ${parentId} doesn't exist in troupe ${roomId}`);
  return parent;
}

/**
 * Sends a message. 404 unknown room, 403 when the user may not write, 400 bad text or parentId. Anyone may write in
 * a public room, member or not. zero804/gitter modules/rooms/lib/room-with-policy-service.js sendMessage (canWrite),
 * modules/permissions/lib/policies/create-base-policy.js (_checkAccess: public rooms allow everyone)
 * A message the spam check catches is answered like any other but neither stored nor pushed (its `v` is 0).
 */
export function postMessage(state: EmulatorState, userId: string, roomId: string, input: PostInput): EmMessage {
  const room = roomOrThrow(state, roomId);
  if (!state.canRead(userId, roomId)) throw new ApiError(403, "Forbidden");
  if (typeof input.text !== "string" || input.text.length === 0) throw new ApiError(400, "Text is required");
  const text = input.text;
  checkLength(text);
  const parent = parentOrThrow(state, roomId, input.parentId);
  // chat-service.js newChatMessageToTroupe counts the reply on its parent before anything else can refuse it.
  if (parent) changeThreadCount(state, parent, 1);
  const sent = new Date(input.sentAtMs ?? Date.now());
  const msg: EmMessage = {
    id: state.ids.next(sent.getTime()),
    roomId: room.id,
    fromUserId: userId,
    text,
    ...render(state, text),
    // chat-service.js stores `status: data.status` as sent: text starting `/me ` is no command to the server
    // (Gitter's web client itself sends `/me waves` as "@username waves" with status true).
    status: input.status === true,
    sent,
    parentId: parent?.id,
    threadMessageCount: 0,
    readBy: new Set(),
    v: 0,
    deleted: false,
  };
  const author = state.getUser(userId);
  // chat-service.js newChatMessageToTroupe: "hellban for users, dont write message to db, just fake it".
  if (input.sentAtMs === undefined && author && state.spam.isSpam(author, text)) return msg;
  msg.v = 1;
  state.chat.add(msg);
  state.emitLive({ kind: "chat", roomId, operation: "create", model: state.serializeMessage(msg) });
  if (input.sentAtMs !== undefined) return msg;
  // zero804/gitter modules/chats/lib/chat-service.js newChatMessageToTroupe: the sender's last access time.
  state.visitRoom(userId, roomId);
  spreadUnread(state, msg);
  return msg;
}

/**
 * Members get unread items, pushed as a `patch` of their room list with the counts: a room they hid stays hidden
 * (no `create`), only its counts rise. A mentioned non-member of a public room gets the room in their list
 * (`roomMember: false`) with a `create`. zero804/gitter modules/unread-items/lib/index.js
 * processResultsForNewItemWithMentions, server/event-listeners/bayeux-events-bridge.js onTroupeUnreadCountsChange
 * and onUserMentionedInNonMemberRoom
 */
function spreadUnread(state: EmulatorState, msg: EmMessage): void {
  for (const member of state.rooms.members(msg.roomId)) {
    if (member.id === msg.fromUserId) continue;
    state.unread.add(member.id, msg.roomId, msg.id, isMentioned(msg, member.id));
    pushUnreadCounts(state, member.id, msg.roomId);
  }
  for (const m of msg.mentions) {
    if (!m.userId || m.userId === msg.fromUserId || state.isMember(m.userId, msg.roomId) || !state.canRead(m.userId, msg.roomId)) continue;
    const first = state.unread.counts(m.userId, msg.roomId).mentions === 0;
    state.unread.add(m.userId, msg.roomId, msg.id, true);
    if (first) state.emitLive({ kind: "userRooms", userId: m.userId, operation: "create", model: state.serializeRoomFor(m.userId, state.getRoom(msg.roomId)!) });
    else pushUnreadCounts(state, m.userId, msg.roomId);
  }
}

/** 404 unknown room/message, 403 not the author, 400 too long or past the edit window. */
export function editMessage(
  state: EmulatorState, userId: string, roomId: string, messageId: string, text: unknown, opts: EditOptions,
): EmMessage {
  const msg = messageOrThrow(state, roomId, messageId);
  if (!opts.force && msg.fromUserId !== userId) throw new ApiError(403, "You can only edit your own messages");
  const newText = typeof text === "string" ? text : "";
  checkLength(newText);
  const ageSeconds = (Date.now() - msg.sent.getTime()) / 1000;
  if (!opts.force && ageSeconds > state.editWindowSeconds) throw new ApiError(400, "You can no longer edit this message");
  const before = new Set(msg.mentions.map((m) => m.userId));
  Object.assign(msg, { text: newText, ...render(state, newText), editedAt: new Date(), v: msg.v + 1 });
  state.emitLive({ kind: "chat", roomId, operation: "update", model: state.serializeMessage(msg) });
  for (const m of msg.mentions) {
    if (!m.userId || before.has(m.userId) || m.userId === msg.fromUserId || !state.isMember(m.userId, roomId)) continue;
    state.unread.add(m.userId, roomId, msg.id, true);
    pushUnreadCounts(state, m.userId, roomId);
  }
  return msg;
}

/** 404 unknown, 403 not the author. A thread root with replies is blanked (update), others removed. */
export function deleteMessage(state: EmulatorState, userId: string, roomId: string, messageId: string, opts: EditOptions): void {
  const msg = messageOrThrow(state, roomId, messageId);
  if (!opts.force && msg.fromUserId !== userId) throw new ApiError(403, "Forbidden");
  for (const member of state.rooms.members(roomId)) {
    if (state.unread.remove(member.id, roomId, [msg.id]).length) pushUnreadCounts(state, member.id, roomId);
  }
  if (msg.threadMessageCount > 0) {
    Object.assign(msg, { text: "", html: "", mentions: [], urls: [], v: msg.v + 1 });
    state.emitLive({ kind: "chat", roomId, operation: "update", model: state.serializeMessage(msg) });
    return;
  }
  state.chat.remove(msg);
  state.emitLive({ kind: "chat", roomId, operation: "remove", model: { id: msg.id } });
  const parent = msg.parentId ? state.chat.get(msg.parentId) : undefined;
  if (parent) changeThreadCount(state, parent, -1);
}

function applyRead(state: EmulatorState, userId: string, roomId: string, ids: string[]): void {
  for (const id of ids) {
    const msg = state.chat.getInRoom(roomId, id);
    if (!msg || msg.readBy.has(userId)) continue;
    msg.readBy.add(userId);
    state.emitLive({ kind: "chat", roomId, operation: "patch", model: { id, readBy: msg.readBy.size, v: msg.v } });
  }
  if (ids.length) pushUnreadCounts(state, userId, roomId);
}

export function markRead(state: EmulatorState, userId: string, roomId: string, ids: string[]): void {
  roomOrThrow(state, roomId);
  applyRead(state, userId, roomId, state.unread.remove(userId, roomId, ids));
}

export function markAllRead(state: EmulatorState, userId: string, roomId: string): void {
  roomOrThrow(state, roomId);
  applyRead(state, userId, roomId, state.unread.clear(userId, roomId));
}
