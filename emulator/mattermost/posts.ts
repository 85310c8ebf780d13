// Creating, editing and deleting posts and reactions, and the websocket events each publishes.
// mattermost/mattermost server/channels/app/post.go, server/channels/app/reaction.go
import { AppError, errors } from "./errors";
import { newId } from "./ids";
import { postJson } from "./serialize";
import type { MmState } from "./state";
import type { MmChannel, MmPost, MmReaction } from "./types";

/** server/public/model/post.go PostMessageMaxRunesV2 */
export const POST_MAX_RUNES = 16383;
/** server/channels/app/post.go PendingPostIDsCacheTTL: a retried create with the same pending id within it returns the first post. */
export const PENDING_POST_TTL_MS = 30_000;

export interface NewPost {
  channel_id: string;
  message: string;
  root_id?: string;
  file_ids?: string[];
  props?: Record<string, unknown>;
  pending_post_id?: string;
  /** "" unless given: "me" for a /me post, `slack_attachment` for an integration's. */
  type?: string;
}

// The types a client may give a post. server/public/model/post.go IsValid accepts these, the `system_*` types and
// any `custom_*` type; server/channels/app/post.go CreatePostAsUser refuses every `system_*` type before that.
// burn_on_read (behind a feature flag and a licence) is not emulated.
const CLIENT_POST_TYPES = new Set(["", "me", "slack_attachment", "add_bot_teams_channels", "reminder"]);

/** server/channels/app/post.go CreatePostAsUser: no `system_*` post from a user (checked before the deduplication). */
function checkNotSystem(type: string): void {
  if (type.startsWith("system_")) throw errors.badParam("post.type");
}

/** server/public/model/post.go IsValid (checked when the post is saved, after the deduplication). */
function checkType(type: string): void {
  if (!CLIENT_POST_TYPES.has(type) && !type.startsWith("custom_")) {
    throw new AppError(400, "model.post.is_valid.type.app_error", "Invalid type.", `id=${type}`);
  }
}

/** The post of that id, unless missing or deleted (server/channels/app/post.go GetSinglePost). */
export function livePost(state: MmState, id: string): MmPost {
  const p = state.posts.get(id);
  if (!p || p.delete_at) throw errors.notFound("app.post.get.app_error", "post");
  return p;
}

function checkRoot(state: MmState, channelId: string, rootId: string): void {
  const root = state.posts.get(rootId);
  // server/channels/app/post.go CreatePost: the root must exist in the same channel and not be a reply itself
  if (!root || root.delete_at || root.channel_id !== channelId || root.root_id) {
    throw new AppError(400, "api.post.create_post.root_id.app_error", "Invalid RootId parameter.");
  }
}

/** A create with a pending_post_id seen in the last 30 s returns the post it made. server/channels/app/post.go deduplicateCreatePost */
function duplicateOf(state: MmState, pendingId: string | undefined): MmPost | undefined {
  if (!pendingId) return undefined;
  const seen = state.pendingPosts.get(pendingId);
  if (!seen || Date.now() - seen.at > PENDING_POST_TTL_MS) return undefined;
  return state.posts.get(seen.postId);
}

/** Files the author uploaded to this channel and not yet attached; the server drops the others. server/channels/app/post.go attachFilesToPost */
function attachable(state: MmState, userId: string, channelId: string, ids: string[]): string[] {
  return ids.filter((id) => {
    const f = state.files.get(id);
    return f && f.user_id === userId && f.channel_id === channelId && !f.post_id;
  });
}

export function createPost(state: MmState, userId: string, input: NewPost): MmPost {
  const type = input.type ?? "";
  checkNotSystem(type);
  const dup = duplicateOf(state, input.pending_post_id);
  if (dup) return dup;
  const channel = state.channel(input.channel_id);
  // server/public/model/post.go IsValid
  checkType(type);
  if ([...input.message].length > POST_MAX_RUNES) {
    throw new AppError(400, "model.post.is_valid.message_length.app_error", "Invalid Message property length.");
  }
  if (input.root_id) checkRoot(state, channel.id, input.root_id);
  const now = state.tick();
  const post: MmPost = {
    id: newId(), create_at: now, update_at: now, edit_at: 0, delete_at: 0, user_id: userId, channel_id: channel.id,
    root_id: input.root_id ?? "", original_id: "", message: input.message, type, props: input.props ?? {},
    hashtags: "", pending_post_id: input.pending_post_id ?? "", file_ids: attachable(state, userId, channel.id, input.file_ids ?? []),
    has_reactions: false, is_pinned: false,
  };
  for (const id of post.file_ids) state.files.get(id)!.post_id = post.id;
  state.posts.set(post.id, post);
  if (post.pending_post_id) state.pendingPosts.set(post.pending_post_id, { postId: post.id, at: Date.now() });
  bumpChannel(channel, post);
  publishPosted(state, channel, post);
  return post;
}

function bumpChannel(channel: MmChannel, post: MmPost): void {
  channel.last_post_at = post.create_at;
  channel.total_msg_count += 1;
  if (!post.root_id) {
    channel.last_root_post_at = post.create_at;
    channel.total_msg_count_root += 1;
  }
}

/** server/channels/app/post.go handlePostEvents / SendNotifications: `posted` carries the post as a JSON string. */
function publishPosted(state: MmState, channel: MmChannel, post: MmPost): void {
  const sender = state.users.get(post.user_id);
  state.publish("posted", {
    channel_display_name: channel.display_name, channel_name: channel.name, channel_type: channel.type,
    post: JSON.stringify(postJson(state, post)), sender_name: sender ? `@${sender.username}` : "", team_id: channel.team_id,
    set_online: true,
  }, { channel_id: channel.id });
}

/** Only the author may edit (edit_others_posts is an admin's). server/channels/app/post.go PatchPost */
export function patchPost(state: MmState, userId: string, id: string, patch: { message?: string; props?: Record<string, unknown> }): MmPost {
  const post = livePost(state, id);
  if (post.user_id !== userId) throw errors.permissions();
  if (patch.message !== undefined && [...patch.message].length > POST_MAX_RUNES) {
    throw new AppError(400, "model.post.is_valid.message_length.app_error", "Invalid Message property length.");
  }
  const now = state.tick();
  if (patch.message !== undefined) post.message = patch.message;
  if (patch.props !== undefined) post.props = patch.props;
  post.edit_at = now;
  post.update_at = now;
  state.publish("post_edited", { post: JSON.stringify(postJson(state, post)) }, { channel_id: post.channel_id });
  return post;
}

/** Deleting a root deletes its thread. server/channels/app/post.go DeletePost (and the store's Delete of replies) */
export function deletePost(state: MmState, userId: string, id: string): MmPost {
  const post = livePost(state, id);
  if (post.user_id !== userId) throw errors.permissions();
  const now = state.tick();
  post.delete_at = now;
  post.update_at = now;
  if (!post.root_id) {
    for (const p of state.posts.values()) if (p.root_id === post.id && !p.delete_at) Object.assign(p, { delete_at: now, update_at: now });
  }
  state.publish("post_deleted", { post: JSON.stringify(postJson(state, post)), delete_by: userId }, { channel_id: post.channel_id });
  return post;
}

/** Saving a reaction twice keeps one; the post's update_at moves (the store's SaveReaction). server/channels/app/reaction.go SaveReactionForPost */
export function addReaction(state: MmState, userId: string, postId: string, emoji: string): MmReaction {
  const post = livePost(state, postId);
  const existing = state.reactionsOf(postId).find((r) => r.user_id === userId && r.emoji_name === emoji);
  if (existing) return existing;
  const now = state.tick();
  const r: MmReaction = { user_id: userId, post_id: postId, emoji_name: emoji, channel_id: post.channel_id, create_at: now, update_at: now, delete_at: 0 };
  state.reactions.push(r);
  post.has_reactions = true;
  post.update_at = now;
  state.publish("reaction_added", { reaction: JSON.stringify(r) }, { channel_id: post.channel_id });
  return r;
}

/** server/channels/app/reaction.go DeleteReactionForPost */
export function removeReaction(state: MmState, userId: string, postId: string, emoji: string): void {
  const post = livePost(state, postId);
  const r = state.reactionsOf(postId).find((x) => x.user_id === userId && x.emoji_name === emoji);
  if (!r) return;
  const now = state.tick();
  state.reactions.splice(state.reactions.indexOf(r), 1);
  post.has_reactions = state.reactionsOf(postId).length > 0;
  post.update_at = now;
  state.publish("reaction_removed", { reaction: JSON.stringify({ ...r, update_at: now, delete_at: now }) }, { channel_id: post.channel_id });
}
