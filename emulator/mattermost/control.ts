// The control API (/_emulator/*), mounted only when enabled; not part of Mattermost. Tests and demos use it to act
// as any user (post, edit, delete, react, type, view, join, leave), cut websockets, issue and revoke tokens,
// deactivate users, register OAuth apps, tune the rate limit, make REST calls fail, and reset the world.
import express, { Router, type Request } from "express";
import { AppError, appErrorHandler, sendAppError } from "./errors";
import type { FaultPlan } from "./faults";
import { newId } from "./ids";
import type { OAuthStore } from "./oauth-store";
import { addReaction, createPost, deletePost, livePost, patchPost, removeReaction } from "./posts";
import type { GcraLimiter } from "./ratelimit";
import { addToChannel, removeFromChannel, viewChannel } from "./rest-channels";
import { postJson } from "./serialize";
import type { MmState } from "./state";
import type { MmChannel, MmUser } from "./types";
import { publishTyping } from "./websocket";
import type { Hub } from "./ws-hub";

export interface ControlDeps {
  state: MmState;
  limiter: GcraLimiter;
  faults: FaultPlan;
  oauth: OAuthStore;
  hub: Hub;
  /** Puts the fixture's world back. */
  reset: () => void;
}

type Body = Record<string, unknown>;
const body = (req: Request): Body => (req.body && typeof req.body === "object" ? (req.body as Body) : {});
const bad = (msg: string) => new AppError(400, "emulator.control.bad_request", msg);

function text(v: unknown, name: string): string {
  if (typeof v !== "string" || !v) throw bad(`${name} is required`);
  return v;
}

/** A user by id or username. */
export function userRef(state: MmState, ref: unknown): MmUser {
  const r = text(ref, "user");
  const u = state.users.get(r) ?? state.userByName(r);
  if (!u) throw new AppError(404, "emulator.control.no_user", `Unknown user ${r}`);
  return u;
}

/** A channel by id, "team/name", "alice,bob" (their direct channel) or "alice,bob,carol" (their group channel). */
export function channelRef(state: MmState, ref: unknown): MmChannel {
  const r = text(ref, "channel");
  const byId = state.channels.get(r);
  if (byId) return byId;
  if (r.includes(",")) {
    const ids = r.split(",").map((n) => userRef(state, n.trim()).id);
    return ids.length > 2 ? state.groupChannel(ids, ids[0]) : state.directChannel(ids[0], ids[1], ids[0]);
  }
  const [team, name] = r.split("/");
  const t = [...state.teams.values()].find((x) => x.name === team);
  const c = t && [...state.channels.values()].find((x) => x.team_id === t.id && x.name === name);
  if (!c) throw new AppError(404, "emulator.control.no_channel", `Unknown channel ${r}`);
  return c;
}

export function controlRouter(deps: ControlDeps): Router {
  const r = Router({ caseSensitive: true });
  r.use(express.json({ limit: "5mb" }));
  actRoutes(r, deps.state);
  adminRoutes(r, deps);
  r.use((req, res) => sendAppError(res, new AppError(404, "emulator.control.not_found", `No control route ${req.method} ${req.path}`)));
  r.use(appErrorHandler);
  return r;
}

function actRoutes(r: Router, state: MmState): void {
  const as = (b: Body) => userRef(state, b.as).id;
  r.post("/posts", (req, res) => {
    const b = body(req);
    const c = channelRef(state, b.channel);
    // `attachments` posts as an integration does: server/channels/app/webhook.go HandleIncomingWebhook puts them in
    // props.attachments and makes the post a `slack_attachment` one.
    const attached = Array.isArray(b.attachments) && b.attachments.length > 0 ? { type: "slack_attachment", props: { attachments: b.attachments } } : {};
    const post = createPost(state, as(b), {
      channel_id: c.id, message: typeof b.message === "string" ? b.message : "", root_id: typeof b.root_id === "string" ? b.root_id : undefined,
      pending_post_id: typeof b.pending_post_id === "string" ? b.pending_post_id : undefined,
      type: typeof b.type === "string" ? b.type : undefined, ...attached,
    });
    res.status(201).json(postJson(state, post));
  });
  r.put("/posts/:id", (req, res) => {
    const b = body(req);
    const author = b.as === undefined ? livePost(state, String(req.params.id)).user_id : as(b);
    res.json(postJson(state, patchPost(state, author, String(req.params.id), { message: text(b.message, "message") })));
  });
  r.delete("/posts/:id", (req, res) => {
    const b = body(req);
    const author = b.as === undefined ? livePost(state, String(req.params.id)).user_id : as(b);
    deletePost(state, author, String(req.params.id));
    res.json({ status: "OK" });
  });
  r.post("/reactions", (req, res) => {
    const b = body(req);
    res.json(addReaction(state, as(b), text(b.post_id, "post_id"), text(b.emoji_name, "emoji_name")));
  });
  r.delete("/reactions", (req, res) => {
    const b = body(req);
    removeReaction(state, as(b), text(b.post_id, "post_id"), text(b.emoji_name, "emoji_name"));
    res.json({ status: "OK" });
  });
  r.post("/typing", (req, res) => {
    const b = body(req);
    publishTyping(state, as(b), channelRef(state, b.channel).id, typeof b.parent_id === "string" ? b.parent_id : "");
    res.json({ status: "OK" });
  });
  r.post("/view", (req, res) => {
    const b = body(req);
    res.json({ status: "OK", last_viewed_at_times: viewChannel(state, as(b), channelRef(state, b.channel).id) });
  });
  r.post("/members", (req, res) => {
    const b = body(req);
    const user = userRef(state, b.user).id;
    const c = channelRef(state, b.channel);
    if (c.type === "P" && !state.member(c.id, user)) res.status(201).json(state.addMember(c, user));
    else res.status(201).json(addToChannel(state, c, user, b.as === undefined ? user : as(b)));
  });
  r.delete("/members", (req, res) => {
    const b = body(req);
    const user = userRef(state, b.user).id;
    const c = channelRef(state, b.channel);
    removeFromChannel(state, c, user, b.as === undefined ? user : as(b));
    res.json({ status: "OK" });
  });
}

function adminRoutes(r: Router, deps: ControlDeps): void {
  const { state, hub, oauth, limiter, faults } = deps;
  r.post("/cut-websockets", (req, res) => {
    const b = body(req);
    const user = b.user === undefined ? undefined : userRef(state, b.user).id;
    res.json({ cut: hub.cut(user, b.forget === true) });
  });
  r.get("/websockets", (req, res) => {
    res.json({ open: hub.openCount(typeof req.query.user === "string" ? userRef(state, req.query.user).id : undefined) });
  });
  r.post("/tokens", (req, res) => {
    res.status(201).json({ token: state.newSession(userRef(state, body(req).user).id, "pat").token });
  });
  r.delete("/tokens/:token", (req, res) => {
    oauth.revokeToken(String(req.params.token));
    res.json({ status: "OK" });
  });
  r.post("/users/:user/deactivate", (req, res) => {
    const u = userRef(state, req.params.user);
    u.delete_at = state.tick();
    for (const s of [...state.sessions.values()]) if (s.user_id === u.id) state.revoke(s.token);
    res.json({ status: "OK" });
  });
  r.post("/oauth-apps", (req, res) => {
    const b = body(req);
    const app = {
      clientId: typeof b.clientId === "string" ? b.clientId : newId(), clientSecret: typeof b.clientSecret === "string" ? b.clientSecret : newId(),
      redirectUri: text(b.redirectUri, "redirectUri"), name: typeof b.name === "string" ? b.name : "OAuth app", trusted: b.trusted === true,
    };
    state.apps.set(app.clientId, app);
    res.status(201).json(app);
  });
  r.put("/oauth-token-seconds", (req, res) => {
    const s = body(req).seconds;
    if (typeof s !== "number" || s < 1) throw bad("seconds must be a number >= 1");
    oauth.tokenSeconds = s;
    res.json({ seconds: s });
  });
  r.put("/rate-limit", (req, res) => {
    const b = body(req);
    limiter.configure(Number(b.perSec ?? 10), Number(b.burst ?? 100), b.enabled !== false);
    res.json({ perSec: limiter.perSec, burst: limiter.burst, enabled: limiter.enabled });
  });
  r.post("/faults", (req, res) => {
    const f = faults.add(body(req));
    res.status(201).json({ status: f.status, count: f.count });
  });
  r.delete("/faults", (_req, res) => {
    faults.clear();
    res.json({ status: "OK" });
  });
  r.post("/reset", (_req, res) => {
    deps.reset();
    res.json({ status: "OK" });
  });
}
