// Who may read or write a channel. Members may; a public channel is also readable by its team's members.
// mattermost/mattermost server/channels/app/authorization.go SessionHasPermissionToChannel (read_channel via team role for O)
import { errors } from "./errors";
import { isValidId } from "./ids";
import type { MmState } from "./state";
import type { MmChannel } from "./types";

export function idParam(v: unknown, name: string): string {
  if (!isValidId(v)) throw errors.badUrlParam(name);
  return v;
}

export function readableChannel(state: MmState, userId: string, channelId: unknown): MmChannel {
  const c = state.channel(idParam(channelId, "channel_id"));
  if (state.member(c.id, userId)) return c;
  if (c.type === "O" && state.teamMembers.get(c.team_id)?.has(userId)) return c;
  throw errors.permissions();
}

export function writableChannel(state: MmState, userId: string, channelId: unknown): MmChannel {
  const c = state.channel(idParam(channelId, "channel_id"));
  if (!state.member(c.id, userId)) throw errors.permissions();
  return c;
}
