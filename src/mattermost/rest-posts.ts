// Posts, reactions and files over REST API v4, and the base of MattermostClient (./rest) that holds the transport
// and the caller's own user id. mattermost/mattermost server/channels/api4/post.go, reaction.go, file.go
import { randomUUID } from "node:crypto";
import { PENDING_POST_RETRY_MS, type Download, type MattermostTransport } from "./transport";
import type { MmFileInfo, MmPost, MmPostList, MmReaction, MmUser } from "./types";
import { checkFileInfo, checkList, checkOne, checkPost, checkPostList, checkReaction, checkUser, isRecord } from "./validate";

/** server/channels/web/params.go: at most 200 posts a page. */
export const MAX_PER_PAGE = 200;
/** server/channels/store/sqlstore/post_store.go GetPostsSince: a `since` listing holds at most 1000 posts. */
export const SINCE_LIMIT = 1000;

export interface NewPost {
  channel_id: string;
  message: string;
  /** The thread's root, for a reply. */
  root_id?: string;
  file_ids?: string[];
  props?: Record<string, unknown>;
  /** `"me"` for a /me post (server/channels/app/slashcommands/command_me.go); absent for an ordinary post. */
  type?: "me";
  /** Given by the caller to recognise its own post in the websocket's echo; generated when absent. */
  pending_post_id?: string;
}

export interface PostsPage {
  /** Oldest first. */
  posts: MmPost[];
  /** True when the page was full: ask again after its last post. */
  more: boolean;
}

export interface ChangedPosts {
  /** Every post created, edited, reacted to or deleted after the time, oldest change first; deleted ones have delete_at. */
  posts: MmPost[];
  /** The server's limit was reached: older changes were left out (fall back to `postsAfter`). */
  truncated: boolean;
}

const seg = encodeURIComponent;

export class MattermostPostCalls {
  private myIdPromise: Promise<string> | undefined;

  constructor(readonly transport: MattermostTransport) {}

  /** GET /users/me. */
  async me(): Promise<MmUser> {
    return (await this.transport.request({ method: "GET", path: "/users/me", repeatable: true, expect: checkOne(checkUser) })) as MmUser;
  }

  /** The caller's user id, asked once (a failure is not cached). */
  myId(): Promise<string> {
    this.myIdPromise ??= this.me().then(
      (u) => u.id,
      (err: unknown) => {
        this.myIdPromise = undefined;
        throw err;
      },
    );
    return this.myIdPromise;
  }

  /**
   * POST /posts with a pending_post_id: the server returns the first post for a repeat of the same id within 30 s
   * (server/channels/app/post.go deduplicateCreatePost), so a failure within that window is retried; after it,
   * an uncertain outcome throws MattermostMaybeDeliveredError.
   */
  async createPost(post: NewPost): Promise<MmPost> {
    const body = { ...post, pending_post_id: post.pending_post_id ?? `${await this.myId()}:${randomUUID()}` };
    return (await this.transport.request({
      method: "POST", path: "/posts", body, repeatable: false, repeatableForMs: PENDING_POST_RETRY_MS, expect: checkOne(checkPost),
    })) as MmPost;
  }

  async getPost(postId: string): Promise<MmPost> {
    return (await this.transport.request({ method: "GET", path: `/posts/${seg(postId)}`, repeatable: true, expect: checkOne(checkPost) })) as MmPost;
  }

  /** PUT /posts/{id}/patch: only the author may (403 otherwise). Setting the same text twice is harmless. */
  async editPost(postId: string, message: string): Promise<MmPost> {
    return (await this.transport.request({
      method: "PUT", path: `/posts/${seg(postId)}/patch`, body: { message }, repeatable: true, expect: checkOne(checkPost),
    })) as MmPost;
  }

  /** DELETE /posts/{id}; deleting a root deletes its replies. */
  async deletePost(postId: string): Promise<void> {
    await this.transport.request({ method: "DELETE", path: `/posts/${seg(postId)}`, repeatable: true });
  }

  /**
   * One page of the posts created after `afterId`, oldest first (`after` + `per_page`): the order is kept and a
   * page never skips a post, but deleted posts are left out and edits are not reported (see `postsChangedSince`).
   * server/channels/api4/post.go getPostsForChannel -> app GetPostsAfterPost
   */
  async postsAfter(channelId: string, afterId: string, perPage = MAX_PER_PAGE): Promise<PostsPage> {
    const list = await this.postList(channelId, { after: afterId, page: 0, per_page: Math.min(perPage, MAX_PER_PAGE) });
    const posts = list.order.map((id) => list.posts[id]).reverse();
    return { posts, more: list.order.length >= Math.min(perPage, MAX_PER_PAGE) };
  }

  /** The newest posts of a channel, oldest first: where a channel with no cursor starts. */
  async latestPosts(channelId: string, perPage = 60): Promise<MmPost[]> {
    const list = await this.postList(channelId, { page: 0, per_page: Math.min(perPage, MAX_PER_PAGE) });
    return list.order.map((id) => list.posts[id]).reverse();
  }

  /**
   * Every post changed after `sinceMs` (its update_at: new, edited, reacted to, deleted), oldest change first, in
   * one answer of at most 1000 with no paging. server/channels/store/sqlstore/post_store.go GetPostsSince
   */
  async postsChangedSince(channelId: string, sinceMs: number): Promise<ChangedPosts> {
    const list = await this.postList(channelId, { since: sinceMs });
    const posts = list.order.map((id) => list.posts[id]).sort((a, b) => a.update_at - b.update_at || a.create_at - b.create_at);
    return { posts, truncated: list.order.length >= SINCE_LIMIT };
  }

  private async postList(channelId: string, query: Record<string, number | string>): Promise<MmPostList> {
    return (await this.transport.request({
      method: "GET", path: `/channels/${seg(channelId)}/posts`, query, repeatable: true, expect: checkOne(checkPostList),
    })) as MmPostList;
  }

  /** POST /reactions as the caller; saving one twice keeps one, so it is safe to repeat. */
  async addReaction(postId: string, emojiName: string): Promise<MmReaction> {
    const body = { user_id: await this.myId(), post_id: postId, emoji_name: emojiName };
    return (await this.transport.request({ method: "POST", path: "/reactions", body, repeatable: true, expect: checkOne(checkReaction) })) as MmReaction;
  }

  async removeReaction(postId: string, emojiName: string): Promise<void> {
    const path = `/users/${seg(await this.myId())}/posts/${seg(postId)}/reactions/${seg(emojiName)}`;
    await this.transport.request({ method: "DELETE", path, repeatable: true });
  }

  /**
   * POST /files (multipart): the file, not yet on a post; attach it with createPost's file_ids. Repeating an upload
   * only leaves an unattached copy behind, so it is retried.
   */
  async uploadFile(channelId: string, name: string, data: Uint8Array, mimeType: string): Promise<MmFileInfo> {
    const { body, contentType } = multipart({ channel_id: channelId }, { field: "files", name, data, mimeType });
    const answer = await this.transport.request({
      method: "POST", path: "/files", raw: { data: body, contentType }, repeatable: true, expect: checkUpload,
    });
    return (answer as { file_infos: MmFileInfo[] }).file_infos[0];
  }

  async downloadFile(fileId: string): Promise<Download> {
    return (await this.transport.request({ method: "GET", path: `/files/${seg(fileId)}`, repeatable: true, binary: true })) as Download;
  }

  async fileInfo(fileId: string): Promise<MmFileInfo> {
    return (await this.transport.request({ method: "GET", path: `/files/${seg(fileId)}/info`, repeatable: true, expect: checkOne(checkFileInfo) })) as MmFileInfo;
  }
}

function checkUpload(value: unknown): string | null {
  if (!isRecord(value)) return "expected {file_infos: [...]}";
  const infos = value.file_infos;
  if (!Array.isArray(infos) || infos.length === 0) return "file_infos must be a non-empty array";
  return checkList(checkFileInfo)(infos);
}

/** A multipart/form-data body with text fields and one file part. */
function multipart(fields: Record<string, string>, file: { field: string; name: string; data: Uint8Array; mimeType: string }) {
  const boundary = `----mattermost-bridge-${randomUUID()}`;
  const quote = (s: string) => s.replace(/["\r\n\\]/g, "_");
  const parts: Buffer[] = [];
  for (const [key, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${quote(key)}"\r\n\r\n${value}\r\n`));
  }
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${quote(file.field)}"; filename="${quote(file.name)}"\r\nContent-Type: ${file.mimeType}\r\n\r\n`));
  parts.push(Buffer.from(file.data), Buffer.from(`\r\n--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}
