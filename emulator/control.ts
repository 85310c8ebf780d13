// The control API (/_emulator/*), mounted only when enabled: lets tests and demos act as any user, change the
// room graph, cut realtime connections, revoke or issue tokens, tune the rate limit and make REST calls fail.
// Not part of Gitter.
import express, { Router, type Request } from "express";
import type { FaultPlan } from "./faults";
import { isObjectId } from "./ids";
import type { RateLimiter } from "./rate-limit";
import { errorHandler } from "./rest/common";
import type { EmulatorState } from "./state";
import { ApiError, type EmRoom, type EmUser } from "./types";

function body(req: Request): Record<string, unknown> {
  return (req.body && typeof req.body === "object" ? req.body : {}) as Record<string, unknown>;
}

function text(v: unknown, name: string): string {
  if (typeof v !== "string" || v.length === 0) throw new ApiError(400, `${name} is required`);
  return v;
}

/** A user by id or username; 404 when unknown. */
export function findUser(state: EmulatorState, ref: unknown): EmUser {
  const r = text(ref, "user");
  const user = (isObjectId(r) ? state.getUser(r) : undefined) ?? state.findUserByName(r);
  if (!user) throw new ApiError(404, `Unknown user ${r}`);
  return user;
}

/** A room by id or uri; 404 when unknown. */
export function findRoom(state: EmulatorState, ref: unknown): EmRoom {
  const r = text(ref, "room");
  const room = (isObjectId(r) ? state.getRoom(r) : undefined) ?? state.rooms.findByUri(r);
  if (!room) throw new ApiError(404, `Unknown room ${r}`);
  return room;
}

function messageRoom(state: EmulatorState, id: string): string {
  const msg = isObjectId(id) ? state.chat.get(id) : undefined;
  if (!msg) throw new ApiError(404, "Not Found");
  return msg.roomId;
}

function positive(v: unknown, name: string): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) throw new ApiError(400, `${name} must be a number >= 0`);
  return v;
}

export function controlRouter(state: EmulatorState, limiter: RateLimiter, faults: FaultPlan): Router {
  const r = Router({ caseSensitive: true });
  r.use(express.json({ limit: "1mb" }));
  messageRoutes(r, state);
  graphRoutes(r, state);
  membershipRoutes(r, state);
  tokenRoutes(r, state);
  r.post("/cut-connections", (_req, res) => {
    state.cutConnections();
    res.json({ success: true });
  });
  r.put("/rate-limit", (req, res) => {
    const b = body(req);
    const windowMs = b.windowSeconds === undefined ? undefined : positive(b.windowSeconds, "windowSeconds") * 1000;
    limiter.configure(positive(b.limit, "limit"), windowMs);
    res.json({ limit: limiter.limit, windowMs: limiter.windowMs });
  });
  r.post("/faults", (req, res) => {
    const fault = faults.add(body(req));
    res.json({ mode: fault.mode, status: fault.status, count: fault.count, pending: faults.pending() });
  });
  r.delete("/faults", (_req, res) => {
    faults.clear();
    res.json({ success: true });
  });
  r.put("/edit-window", (req, res) => {
    state.editWindowSeconds = positive(body(req).seconds, "seconds");
    res.json({ seconds: state.editWindowSeconds });
  });
  r.use((_req, res) => {
    res.status(404).json({ error: "Not Found" });
  });
  r.use(errorHandler);
  return r;
}

function messageRoutes(r: Router, state: EmulatorState): void {
  r.post("/messages", (req, res) => {
    const b = body(req);
    const user = findUser(state, b.user);
    const room = findRoom(state, b.room);
    const msg = state.postMessage(user.id, room.id, { text: b.text, status: b.status, parentId: b.parentId });
    res.json(state.serializeMessage(msg));
  });
  r.put("/messages/:id", (req, res) => {
    const roomId = messageRoom(state, req.params.id);
    const msg = state.editMessage("", roomId, req.params.id, body(req).text, { force: true });
    res.json(state.serializeMessage(msg));
  });
  r.delete("/messages/:id", (req, res) => {
    state.deleteMessage("", messageRoom(state, req.params.id), req.params.id, { force: true });
    res.status(204).end();
  });
  r.get("/messages", (req, res) => {
    const room = req.query.room === undefined ? undefined : findRoom(state, req.query.room);
    const log = state.chat.allMessages().filter((m) => !room || m.roomId === room.id);
    res.json(log.map((m) => ({ ...state.serializeMessage(m), roomId: m.roomId, deleted: m.deleted })));
  });
}

function graphRoutes(r: Router, state: EmulatorState): void {
  r.post("/users", (req, res) => {
    const b = body(req);
    const avatar = typeof b.avatar === "string" ? b.avatar : undefined;
    const user = state.createUser({
      username: text(b.username, "username"),
      displayName: typeof b.displayName === "string" ? b.displayName : undefined,
      password: typeof b.password === "string" ? b.password : undefined,
      avatarColor: avatar?.startsWith("#") ? avatar : undefined,
      avatarUrl: avatar && !avatar.startsWith("#") ? avatar : undefined,
      ageDays: b.ageDays === undefined ? undefined : positive(b.ageDays, "ageDays"),
    });
    res.json(state.serializeUser(user));
  });
  r.patch("/users/:user", (req, res) => {
    const b = body(req);
    const optional = (v: unknown, name: string) => (v === undefined ? undefined : text(v, name));
    const user = findUser(state, req.params.user);
    const change = { displayName: optional(b.displayName, "displayName"), avatar: optional(b.avatar, "avatar") };
    if (b.hellbanned !== undefined && typeof b.hellbanned !== "boolean") throw new ApiError(400, "hellbanned must be true or false");
    // Gitter's admins could hellban (and pardon) by hand: the spam check's verdict, without the repeats.
    if (typeof b.hellbanned === "boolean") user.hellbanned = b.hellbanned;
    res.json(state.serializeUser(state.updateProfile(user.id, change)));
  });
  r.post("/rooms", (req, res) => {
    const b = body(req);
    const security = b.security === "PRIVATE" ? "PRIVATE" : "PUBLIC";
    const str = (v: unknown) => (typeof v === "string" ? v : undefined);
    const room = state.createRoom({ uri: text(b.uri, "uri"), name: str(b.name), topic: str(b.topic), security });
    const members = Array.isArray(b.members) ? b.members : [];
    for (const m of members) state.rooms.join(findUser(state, m).id, room.id);
    res.json({ id: room.id, uri: room.uri, name: room.name, topic: room.topic, security: room.security });
  });
  r.post("/one-to-one", (req, res) => {
    const users = body(req).users;
    if (!Array.isArray(users) || users.length !== 2) throw new ApiError(400, "users must list two users");
    const [a, b] = users.map((u) => findUser(state, u));
    const room = state.rooms.openOneToOne(a.id, b.id);
    res.json({ id: room.id, users: [a.id, b.id] });
  });
}

function membershipRoutes(r: Router, state: EmulatorState): void {
  r.post("/rooms/:room/members", (req, res) => {
    const room = findRoom(state, req.params.room);
    state.rooms.join(findUser(state, body(req).user).id, room.id);
    res.json({ success: true });
  });
  r.delete("/rooms/:room/members/:user", (req, res) => {
    const room = findRoom(state, req.params.room);
    state.rooms.leave(findUser(state, req.params.user).id, room.id);
    res.json({ success: true });
  });
}

function tokenRoutes(r: Router, state: EmulatorState): void {
  r.post("/tokens", (req, res) => {
    const b = body(req);
    const user = findUser(state, b.user);
    const clientId = typeof b.clientId === "string" && b.clientId ? b.clientId : "emulator-control";
    res.json({ access_token: state.issueToken(user.id, clientId), token_type: "Bearer", userId: user.id });
  });
  r.post("/tokens/revoke", (req, res) => {
    if (!state.revokeToken(text(body(req).token, "token"))) throw new ApiError(404, "Not Found");
    res.json({ success: true });
  });
  r.post("/oauth-apps", (req, res) => {
    const b = body(req);
    const app = {
      clientId: text(b.clientId, "clientId"),
      clientSecret: text(b.clientSecret, "clientSecret"),
      redirectUri: text(b.redirectUri, "redirectUri"),
      name: typeof b.name === "string" && b.name ? b.name : text(b.clientId, "clientId"),
    };
    state.auth.addApp(app);
    res.json({ clientId: app.clientId, redirectUri: app.redirectUri, name: app.name });
  });
}
