// Channels and members: GET /channels/{id}, members (list, join, add, leave), direct and group channels,
// /channels/members/{user_id}/view, /teams/{team_id}/channels/name/{name}.
// mattermost/mattermost server/channels/api4/channel.go, server/channels/app/channel.go
import { Router } from "express";
import { idParam, readableChannel } from "./access";
import { me, userParam } from "./auth";
import { AppError, errors } from "./errors";
import { pageParams } from "./post-list";
import type { MmState } from "./state";
import type { MmChannel } from "./types";

function ids(body: unknown, what: string): string[] {
  if (!Array.isArray(body) || body.some((x) => typeof x !== "string")) throw errors.badParam(what);
  return body as string[];
}

export function channelRoutes(r: Router, state: MmState): void {
  r.get("/channels/:channel_id", (req, res) => {
    res.json(readableChannel(state, me(res), req.params.channel_id));
  });
  r.get("/channels/:channel_id/members", (req, res) => {
    const c = readableChannel(state, me(res), req.params.channel_id);
    const { page, perPage } = pageParams(req.query as Record<string, string>);
    res.json(state.channelMembers(c.id).slice(page * perPage, page * perPage + perPage));
  });
  r.post("/channels/:channel_id/members", (req, res) => {
    const c = state.channel(idParam(req.params.channel_id, "channel_id"));
    const userId = idParam((req.body as { user_id?: unknown })?.user_id, "user_id");
    res.status(201).json(addToChannel(state, c, userId, me(res)));
  });
  r.delete("/channels/:channel_id/members/:user_id", (req, res) => {
    const c = state.channel(idParam(req.params.channel_id, "channel_id"));
    removeFromChannel(state, c, idParam(userParam(req, res), "user_id"), me(res));
    res.json({ status: "OK" });
  });
  // api4/channel.go createDirectChannel: the caller must be one of the two; an existing channel comes back, 201 either way.
  r.post("/channels/direct", (req, res) => {
    const pair = ids(req.body, "user_ids");
    if (pair.length !== 2) throw errors.badParam("user_ids");
    if (!pair.includes(me(res))) throw errors.permissions();
    pair.forEach((id) => state.user(idParam(id, "user_id")));
    res.status(201).json(state.directChannel(pair[0], pair[1], me(res)));
  });
  // api4/channel.go createGroupChannel: the caller is added when missing; 3 to 8 users.
  r.post("/channels/group", (req, res) => {
    const list = ids(req.body, "user_ids");
    if (!list.includes(me(res))) list.push(me(res));
    list.forEach((id) => state.user(idParam(id, "user_id")));
    res.status(201).json(state.groupChannel(list, me(res)));
  });
  r.post("/channels/members/:user_id/view", (req, res) => {
    const uid = userParam(req, res);
    if (uid !== me(res)) throw errors.permissions();
    const channelId = String((req.body as { channel_id?: unknown })?.channel_id ?? "");
    res.json({ status: "OK", last_viewed_at_times: viewChannel(state, uid, channelId) });
  });
  r.get("/teams/:team_id/channels/name/:name", (req, res) => {
    const tid = idParam(req.params.team_id, "team_id");
    const c = [...state.channels.values()].find((x) => x.team_id === tid && x.name === req.params.name && !x.delete_at);
    if (!c) throw errors.notFound("app.channel.get_by_name.missing.app_error", "channel");
    res.json(readableChannel(state, me(res), c.id));
  });
}

/**
 * Joining a public channel of one's team, or adding someone to a channel one is in; direct and group channels
 * take no new members. server/channels/api4/channel.go addChannelMember, app/channel.go AddChannelMember
 */
export function addToChannel(state: MmState, c: MmChannel, userId: string, actorId: string) {
  state.user(userId);
  if (c.type === "D" || c.type === "G") {
    throw new AppError(400, "api.channel.add_user_to_channel.type.app_error", "Can not add user to this channel type.");
  }
  const selfJoin = userId === actorId && c.type === "O" && state.teamMembers.get(c.team_id)?.has(actorId);
  if (!selfJoin && !state.member(c.id, actorId)) throw errors.permissions();
  return state.addMember(c, userId);
}

/**
 * Leaving, or removing someone. server/channels/api4/channel.go removeChannelMember: only public and private
 * channels (400 for direct and group ones, which are closed through preferences instead); removing someone else
 * needs a permission on the channel (403 for a non-member here). app/channel.go removeUserFromChannel: town-square
 * cannot be left; the one removed must be a member (GetChannelMember: 404 app.channel.get_member.missing.app_error),
 * so leaving twice is a 404.
 */
export function removeFromChannel(state: MmState, c: MmChannel, userId: string, actorId: string): void {
  if (c.type === "D" || c.type === "G") {
    throw new AppError(400, "api.channel.remove_channel_member.type.app_error", "Unable to remove user from channel.");
  }
  if (userId !== actorId && !state.member(c.id, actorId)) throw errors.permissions();
  if (c.name === "town-square") {
    throw new AppError(400, "api.channel.remove.default.app_error", `Unable to remove user from the default channel ${c.name}.`);
  }
  if (!state.member(c.id, userId)) throw errors.notFound("app.channel.get_member.missing.app_error", "channel member");
  state.removeMember(c, userId, actorId);
}

/**
 * Marks a channel read: the member's last_viewed_at and msg_count catch up, and the user's other connections
 * hear `multiple_channels_viewed` with channel_times (older servers sent `channel_viewed`).
 * server/channels/app/channel.go ViewChannel / MarkChannelsAsViewed
 */
export function viewChannel(state: MmState, userId: string, channelId: string): Record<string, number> {
  if (!channelId) return {};
  const c = state.channel(idParam(channelId, "channel_id"));
  const m = state.member(c.id, userId);
  if (!m) throw errors.permissions();
  const now = state.tick();
  Object.assign(m, { last_viewed_at: now, msg_count: c.total_msg_count, msg_count_root: c.total_msg_count_root, mention_count: 0, last_update_at: now });
  const times = { [c.id]: now };
  state.publish("multiple_channels_viewed", { channel_times: times }, { user_id: userId });
  return times;
}
