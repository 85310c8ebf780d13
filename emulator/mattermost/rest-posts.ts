// Posts and reactions: GET /channels/{id}/posts, POST /posts, GET /posts/{id}, GET /posts/{id}/thread,
// PUT /posts/{id}/patch, DELETE /posts/{id}, POST /reactions, DELETE /users/{uid}/posts/{pid}/reactions/{name},
// GET /posts/{id}/reactions. mattermost/mattermost server/channels/api4/post.go, reaction.go
import { Router } from "express";
import { idParam, readableChannel, writableChannel } from "./access";
import { me, userParam } from "./auth";
import { AppError, errors } from "./errors";
import { listPosts, type ListQuery } from "./post-list";
import { addReaction, createPost, deletePost, livePost, patchPost, removeReaction } from "./posts";
import { postJson } from "./serialize";
import type { MmState } from "./state";

type Body = Record<string, unknown>;
const bodyOf = (b: unknown): Body => (b && typeof b === "object" && !Array.isArray(b) ? (b as Body) : {});
const optStr = (v: unknown, name: string): string | undefined => {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw errors.badParam(name);
  return v;
};

export function postRoutes(r: Router, state: MmState): void {
  r.get("/channels/:channel_id/posts", (req, res) => {
    const c = readableChannel(state, me(res), req.params.channel_id);
    res.json(listPosts(state, c.id, req.query as ListQuery));
  });
  // api4/post.go createPost answers 201, also for a deduplicated retry.
  r.post("/posts", (req, res) => {
    const b = bodyOf(req.body);
    const c = writableChannel(state, me(res), b.channel_id);
    const fileIds = Array.isArray(b.file_ids) ? b.file_ids.filter((x): x is string => typeof x === "string") : [];
    const post = createPost(state, me(res), {
      channel_id: c.id, message: optStr(b.message, "message") ?? "", root_id: optStr(b.root_id, "root_id"),
      file_ids: fileIds, props: bodyOf(b.props), pending_post_id: optStr(b.pending_post_id, "pending_post_id"),
      type: optStr(b.type, "type"),
    });
    res.status(201).json(postJson(state, post));
  });
  r.get("/posts/:post_id", (req, res) => {
    const p = livePost(state, idParam(req.params.post_id, "post_id"));
    readableChannel(state, me(res), p.channel_id);
    res.json(postJson(state, p));
  });
  r.get("/posts/:post_id/thread", (req, res) => {
    const p = livePost(state, idParam(req.params.post_id, "post_id"));
    readableChannel(state, me(res), p.channel_id);
    const rootId = p.root_id || p.id;
    const thread = [...state.posts.values()].filter((x) => !x.delete_at && (x.id === rootId || x.root_id === rootId)).sort((a, b) => b.create_at - a.create_at);
    res.json({ order: thread.map((x) => x.id), posts: Object.fromEntries(thread.map((x) => [x.id, postJson(state, x)])), next_post_id: "", prev_post_id: "" });
  });
  r.put("/posts/:post_id/patch", (req, res) => {
    const b = bodyOf(req.body);
    const p = patchPost(state, me(res), idParam(req.params.post_id, "post_id"), {
      message: optStr(b.message, "message"), props: b.props === undefined ? undefined : bodyOf(b.props),
    });
    res.json(postJson(state, p));
  });
  r.delete("/posts/:post_id", (req, res) => {
    deletePost(state, me(res), idParam(req.params.post_id, "post_id"));
    res.json({ status: "OK" });
  });
  reactionRoutes(r, state);
}

function reactionRoutes(r: Router, state: MmState): void {
  // api4/reaction.go saveReaction: user_id must be the caller's; emoji names only (no Unicode).
  r.post("/reactions", (req, res) => {
    const b = bodyOf(req.body);
    const userId = idParam(b.user_id, "user_id");
    const postId = idParam(b.post_id, "post_id");
    const emoji = optStr(b.emoji_name, "emoji_name") ?? "";
    if (!/^[a-zA-Z0-9+_-]{1,64}$/.test(emoji)) throw new AppError(400, "model.reaction.is_valid.emoji_name.app_error", "Invalid emoji name.");
    if (userId !== me(res)) throw errors.permissions();
    writableChannel(state, userId, livePost(state, postId).channel_id);
    res.json(addReaction(state, userId, postId, emoji));
  });
  r.delete("/users/:user_id/posts/:post_id/reactions/:emoji_name", (req, res) => {
    const userId = idParam(userParam(req, res), "user_id");
    if (userId !== me(res)) throw errors.permissions();
    const postId = idParam(req.params.post_id, "post_id");
    writableChannel(state, userId, livePost(state, postId).channel_id);
    removeReaction(state, userId, postId, String(req.params.emoji_name));
    res.json({ status: "OK" });
  });
  r.get("/posts/:post_id/reactions", (req, res) => {
    const p = livePost(state, idParam(req.params.post_id, "post_id"));
    readableChannel(state, me(res), p.channel_id);
    res.json(state.reactionsOf(p.id));
  });
}
