// Searching users and a team's channels, a team by name, and typing over REST: POST /users/search,
// POST /teams/{team_id}/channels/search, GET /teams/name/{name}, POST /users/{user_id}/typing.
// mattermost/mattermost server/channels/api4/user.go (searchUsers, publishUserTyping),
// server/channels/api4/channel.go (searchChannelsForTeam), server/channels/api4/team.go (getTeamByName), server/channels/store/sqlstore/user_store.go (Search),
// server/channels/store/sqlstore/channel_store.go (SearchInTeam)
import { Router } from "express";
import { idParam, writableChannel } from "./access";
import { me, userParam } from "./auth";
import { errors } from "./errors";
import { userJson } from "./serialize";
import type { MmState } from "./state";
import { publishTyping } from "./websocket";

/** model.UserSearchDefaultLimit and UserSearchMaxLimit (server/public/model/user_search.go). */
const USER_LIMIT_DEFAULT = 100;
const USER_LIMIT_MAX = 1000;

type Body = Record<string, unknown>;
const bodyOf = (b: unknown): Body => (b && typeof b === "object" && !Array.isArray(b) ? (b as Body) : {});

/** The store matches the term as a prefix of any word of the searched fields, ignoring case. */
function matches(term: string, fields: string[]): boolean {
  const t = term.toLowerCase().replace(/^@/, "");
  return fields.some((f) => f.toLowerCase().split(/[\s._-]+/).some((w) => w.startsWith(t)) || f.toLowerCase().startsWith(t));
}

export function searchRoutes(r: Router, state: MmState): void {
  // api4/user.go searchUsers: a term is required; deactivated users only with allow_inactive.
  r.post("/users/search", (req, res) => {
    const b = bodyOf(req.body);
    const term = typeof b.term === "string" ? b.term.trim() : "";
    if (!term) throw errors.badParam("term");
    const limit = typeof b.limit === "number" && b.limit > 0 ? Math.min(b.limit, USER_LIMIT_MAX) : USER_LIMIT_DEFAULT;
    const teamId = typeof b.team_id === "string" && b.team_id ? b.team_id : undefined;
    const found = [...state.users.values()]
      .filter((u) => (b.allow_inactive === true || !u.delete_at) && (!teamId || state.teamMembers.get(teamId)?.has(u.id)))
      .filter((u) => matches(term, [u.username, u.first_name, u.last_name, u.nickname]))
      .sort((x, y) => (x.username < y.username ? -1 : 1))
      .slice(0, limit);
    res.json(found.map(userJson));
  });
  // api4/channel.go searchChannelsForTeam -> app SearchChannels -> channel_store.go SearchInTeam: the team's
  // public channels (not archived) whose name or display name matches; a team member only.
  r.post("/teams/:team_id/channels/search", (req, res) => {
    const tid = idParam(req.params.team_id, "team_id");
    if (!state.teamMembers.get(tid)?.has(me(res))) throw errors.permissions();
    const term = String(bodyOf(req.body).term ?? "").trim();
    const found = [...state.channels.values()]
      .filter((c) => c.team_id === tid && c.type === "O" && !c.delete_at && matches(term, [c.name, c.display_name]))
      .sort((x, y) => (x.display_name < y.display_name ? -1 : 1));
    res.json(found);
  });
  // api4/team.go getTeamByName: a team the caller is not in is a 403 (an invite-only one, 404: not emulated).
  r.get("/teams/name/:name", (req, res) => {
    const t = [...state.teams.values()].find((x) => x.name === req.params.name && !x.delete_at);
    if (!t) throw errors.notFound("app.team.get_by_name.missing.app_error", "team");
    if (!state.teamMembers.get(t.id)?.has(me(res))) throw errors.permissions();
    res.json(t);
  });
  // api4/user.go publishUserTyping: as oneself, in a channel one may post to; the others hear `typing`.
  r.post("/users/:user_id/typing", (req, res) => {
    const uid = userParam(req, res);
    if (uid !== me(res)) throw errors.permissions();
    const b = bodyOf(req.body);
    const c = writableChannel(state, uid, b.channel_id);
    publishTyping(state, uid, c.id, typeof b.parent_id === "string" ? b.parent_id : "");
    res.json({ status: "OK" });
  });
}
