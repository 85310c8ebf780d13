// GET /api/v4/channels/{id}/posts: a PostList ({order, posts, next_post_id, prev_post_id}) by page, before or
// after a post, or since a time. mattermost/mattermost server/channels/api4/post.go getPostsForChannel,
// server/channels/app/post.go AddCursorIdsForPostList, server/channels/store/sqlstore/post_store.go
import { errors } from "./errors";
import { isValidId } from "./ids";
import { postJson } from "./serialize";
import type { MmState } from "./state";
import type { MmPost } from "./types";

/** server/channels/web/params.go: per_page defaults to 60 and is capped at 200; a bad page is 0. */
export const PER_PAGE_DEFAULT = 60;
export const PER_PAGE_MAX = 200;
/** post_store.go GetPostsSince: at most 1000 posts. */
const SINCE_LIMIT = 1000;

export interface ListQuery {
  since?: string;
  before?: string;
  after?: string;
  page?: string;
  per_page?: string;
}

function int(v: string | undefined): number | undefined {
  if (v === undefined || !/^-?\d+$/.test(v)) return undefined;
  return parseInt(v, 10);
}

export function pageParams(q: ListQuery): { page: number; perPage: number } {
  const page = int(q.page);
  const perPage = int(q.per_page);
  return {
    page: page === undefined || page < 0 ? 0 : page,
    perPage: perPage === undefined || perPage < 0 ? PER_PAGE_DEFAULT : Math.min(perPage, PER_PAGE_MAX),
  };
}

const newestFirst = (a: MmPost, b: MmPost) => b.create_at - a.create_at;

function livePosts(state: MmState, channelId: string): MmPost[] {
  return [...state.posts.values()].filter((p) => p.channel_id === channelId && !p.delete_at);
}

export function listPosts(state: MmState, channelId: string, q: ListQuery): Record<string, unknown> {
  const since = int(q.since) ?? 0;
  const { page, perPage } = pageParams(q);
  let order: MmPost[];
  if (since > 0) {
    // Posts changed after `since`, deleted ones included, so a client learns of edits and deletions.
    order = [...state.posts.values()].filter((p) => p.channel_id === channelId && p.update_at > since).sort(newestFirst).slice(0, SINCE_LIMIT);
  } else if (q.after) {
    const anchor = anchorPost(state, q.after);
    order = livePosts(state, channelId).filter((p) => p.create_at > anchor.create_at).sort((a, b) => -newestFirst(a, b))
      .slice(page * perPage, page * perPage + perPage).sort(newestFirst);
  } else if (q.before) {
    const anchor = anchorPost(state, q.before);
    order = livePosts(state, channelId).filter((p) => p.create_at < anchor.create_at).sort(newestFirst).slice(page * perPage, page * perPage + perPage);
  } else {
    order = livePosts(state, channelId).sort(newestFirst).slice(page * perPage, page * perPage + perPage);
  }
  const { next, prev } = cursors(state, channelId, order, { since, after: q.after, before: q.before, page });
  return { order: order.map((p) => p.id), posts: withThreads(state, order), next_post_id: next, prev_post_id: prev, has_next: false, first_inaccessible_post_time: 0 };
}

function anchorPost(state: MmState, id: string): MmPost {
  if (!isValidId(id)) throw errors.badUrlParam("post_id");
  const p = state.posts.get(id);
  if (!p) throw errors.notFound("app.post.get.app_error", "post");
  return p;
}

/**
 * The `posts` map holds more than `order`: the whole thread of every reply listed (root and siblings), as the
 * store's getParentsPosts adds them when threads are not skipped.
 */
function withThreads(state: MmState, order: MmPost[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const roots = new Set(order.filter((p) => p.root_id).map((p) => p.root_id));
  for (const p of state.posts.values()) {
    if (!p.delete_at && (roots.has(p.id) || roots.has(p.root_id))) out[p.id] = postJson(state, p);
  }
  for (const p of order) out[p.id] = postJson(state, p);
  return out;
}

/** app/post.go AddCursorIdsForPostList, GetNextPostIdFromPostList, GetPrevPostIdFromPostList */
function cursors(
  state: MmState,
  channelId: string,
  order: MmPost[],
  q: { since: number; after?: string; before?: string; page: number },
): { next: string; prev: string } {
  let next: string | undefined;
  let prev: string | undefined;
  if (q.since > 0) {
    next = "";
    prev = "";
  } else if (q.after) {
    if (q.page === 0) prev = q.after;
    if (order.length === 0) next = "";
  } else if (q.before) {
    if (q.page === 0) next = q.before;
    if (order.length === 0) prev = "";
  }
  const live = livePosts(state, channelId);
  if (next === undefined) {
    const newest = order[0];
    next = newest ? (live.filter((p) => p.create_at > newest.create_at).sort((a, b) => a.create_at - b.create_at)[0]?.id ?? "") : "";
  }
  if (prev === undefined) {
    const oldest = order[order.length - 1];
    prev = oldest ? (live.filter((p) => p.create_at < oldest.create_at).sort(newestFirst)[0]?.id ?? "") : "";
  }
  return { next, prev };
}
