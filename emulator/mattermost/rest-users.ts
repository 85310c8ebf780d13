// Users and teams: /users/me, /users/{id}, /users/usernames, /users/username/{name}, /users/ids,
// /users/{id}/teams, /users/{id}/teams/{team_id}/channels, /users/{id}/channels, /users/{id}/patch.
// mattermost/mattermost server/channels/api4/user.go, team.go, channel.go
import { Router } from "express";
import { idParam } from "./access";
import { me, userParam } from "./auth";
import { errors } from "./errors";
import { userJson } from "./serialize";
import type { MmState } from "./state";
import type { MmUser } from "./types";

const PATCHABLE = ["first_name", "last_name", "nickname"] as const;

/**
 * api4/user.go patchUser -> app/user.go PatchUser, UpdateUser: the fields given are changed (here only the names;
 * others are not emulated and left as they are), and sendUpdatedUserEvent tells every socket `user_updated` with
 * the user as an object in `data.user` (the server sends a sanitized copy to the others and the full one to the
 * user's own sockets; the emulator's users hold nothing to sanitize, so one event goes to all).
 */
function patchUser(state: MmState, u: MmUser, patch: unknown): MmUser {
  if (typeof patch !== "object" || patch === null || Array.isArray(patch)) throw errors.badParam("user");
  const given = patch as Record<string, unknown>;
  if (PATCHABLE.some((k) => given[k] !== undefined && typeof given[k] !== "string")) throw errors.badParam("user");
  for (const k of PATCHABLE) if (typeof given[k] === "string") u[k] = given[k];
  u.update_at = Date.now();
  state.publish("user_updated", { user: userJson(u) }, {});
  return u;
}

function names(body: unknown, what: string): string[] {
  if (!Array.isArray(body) || body.some((x) => typeof x !== "string")) throw errors.badParam(what);
  return body as string[];
}

export function userRoutes(r: Router, state: MmState): void {
  r.get("/users/me", (_req, res) => {
    res.json(userJson(state.user(me(res))));
  });
  // api4/user.go getUsersByNames: unknown names are left out, not an error.
  r.post("/users/usernames", (req, res) => {
    const found = names(req.body, "usernames").map((n) => state.userByName(n)).filter((u) => u && !u.delete_at);
    res.json(found.map((u) => userJson(u!)));
  });
  r.post("/users/ids", (req, res) => {
    const found = names(req.body, "user_ids").map((id) => state.users.get(id)).filter((u) => u !== undefined);
    res.json(found.map((u) => userJson(u!)));
  });
  r.get("/users/username/:username", (req, res) => {
    const u = state.userByName(String(req.params.username));
    if (!u) throw errors.notFound("app.user.get_by_username.app_error", "user");
    res.json(userJson(u));
  });
  r.get("/users/:user_id", (req, res) => {
    const id = userParam(req, res);
    const u = state.users.get(idParam(id, "user_id"));
    if (!u) throw errors.notFound("app.user.missing_account.const", "user");
    res.json(userJson(u));
  });
  // Only the caller's own teams and channels (an admin may read others': not emulated).
  const self = (req: Parameters<typeof userParam>[0], res: Parameters<typeof userParam>[1]) => {
    const id = userParam(req, res);
    if (id !== me(res)) throw errors.permissions();
    return id;
  };
  r.get("/users/:user_id/teams", (req, res) => {
    res.json(state.teamsOf(self(req, res)));
  });
  // channel_store.go GetChannels: a team's channels AND the user's direct and group channels (team_id "").
  r.get("/users/:user_id/teams/:team_id/channels", (req, res) => {
    const uid = self(req, res);
    const tid = idParam(req.params.team_id, "team_id");
    if (!state.teamMembers.get(tid)?.has(uid)) throw errors.permissions();
    res.json(state.channelsOf(uid).filter((c) => c.team_id === tid || c.team_id === ""));
  });
  // api4/channel.go getChannelsForUser: every channel of the user, across teams.
  r.get("/users/:user_id/channels", (req, res) => {
    res.json(state.channelsOf(self(req, res)));
  });
  // Oneself only (another user's needs edit_other_users, a system admin's permission: not emulated).
  r.put("/users/:user_id/patch", (req, res) => {
    res.json(userJson(patchUser(state, state.user(self(req, res)), req.body)));
  });
}
