// The websocket's events, typed and checked. The server sends `{event, data, broadcast, seq}`; posts travel as a
// JSON string in `data.post`, reactions in `data.reaction` (mattermost/mattermost server/public/model/websocket_message.go,
// server/channels/app/post.go, server/channels/app/reaction.go, server/channels/app/channel.go). Pure; never throws.
import type { MmPost, MmPreference, MmReaction } from "./types";
import { checkList, checkPost, checkPreference, checkReaction, isMmId, isRecord, type Problem } from "./validate";

export type MmEvent =
  | { type: "posted"; channelId: string; post: MmPost; channelType: string; teamId: string }
  | { type: "post_edited"; channelId: string; post: MmPost }
  | { type: "post_deleted"; channelId: string; post: MmPost }
  | { type: "reaction_added" | "reaction_removed"; channelId: string; reaction: MmReaction }
  | { type: "typing"; channelId: string; userId: string; parentId: string }
  /** `channel_viewed` (older servers) and `multiple_channels_viewed`, both as channel id -> time viewed. */
  | { type: "channels_viewed"; channelTimes: Record<string, number> }
  | { type: "user_added"; channelId: string; userId: string; teamId: string }
  /** The user (maybe the caller) left or was removed from the channel. */
  | { type: "user_removed"; channelId: string; userId: string; removerId: string }
  | { type: "channel_created"; channelId: string; teamId: string }
  /** The caller's preferences saved (`preferences_changed`) or deleted (`preferences_deleted`), app/preference.go. */
  | { type: "preferences"; deleted: boolean; preferences: MmPreference[] }
  /**
   * A user's profile changed (app/user.go sendUpdatedUserEvent, to every socket): `userId` is `data.user.id`, or
   * absent when that is not an id (then any user may have changed). The profile itself is not read.
   */
  | { type: "user_updated"; userId?: string }
  /** Any other event, unchecked. */
  | { type: "other"; event: string; data: Record<string, unknown> };

export interface RawEvent {
  event: string;
  seq?: number;
  data: Record<string, unknown>;
  broadcast: Record<string, unknown>;
}

export type Parsed = { event: MmEvent } | { problem: string };

const str = (v: unknown): string => (typeof v === "string" ? v : "");

function embedded(data: Record<string, unknown>, key: string, check: (v: unknown, at: string) => Problem): { value: unknown } | { problem: string } {
  let value: unknown;
  try {
    value = typeof data[key] === "string" ? JSON.parse(data[key]) : data[key];
  } catch {
    return { problem: `data.${key} is not JSON` };
  }
  const problem = check(value, `data.${key}`);
  return problem ? { problem } : { value };
}

function postEvent(raw: RawEvent, type: "posted" | "post_edited" | "post_deleted"): Parsed {
  const got = embedded(raw.data, "post", checkPost);
  if ("problem" in got) return got;
  const post = got.value as MmPost;
  if (type !== "posted") return { event: { type, channelId: post.channel_id, post } };
  return { event: { type, channelId: post.channel_id, post, channelType: str(raw.data.channel_type), teamId: str(raw.data.team_id) } };
}

function reactionEvent(raw: RawEvent, type: "reaction_added" | "reaction_removed"): Parsed {
  const got = embedded(raw.data, "reaction", checkReaction);
  if ("problem" in got) return got;
  return { event: { type, channelId: str(raw.broadcast.channel_id), reaction: got.value as MmReaction } };
}

function viewed(raw: RawEvent): Parsed {
  if (raw.event === "channel_viewed") {
    const id = raw.data.channel_id;
    return isMmId(id) ? { event: { type: "channels_viewed", channelTimes: { [id]: Date.now() } } } : { problem: "data.channel_id must be an id" };
  }
  const times = raw.data.channel_times;
  if (!isRecord(times) || Object.entries(times).some(([k, v]) => !isMmId(k) || typeof v !== "number")) return { problem: "data.channel_times must map ids to times" };
  return { event: { type: "channels_viewed", channelTimes: times as Record<string, number> } };
}

function ids(pairs: Record<string, unknown>): string | null {
  const bad = Object.entries(pairs).find(([, v]) => !isMmId(v));
  return bad ? `${bad[0]} must be an id` : null;
}

function membership(raw: RawEvent): Parsed {
  const { data, broadcast } = raw;
  if (raw.event === "user_added") {
    const channelId = str(broadcast.channel_id);
    const userId = str(data.user_id);
    const problem = ids({ "broadcast.channel_id": channelId, "data.user_id": userId });
    return problem ? { problem } : { event: { type: "user_added", channelId, userId, teamId: str(data.team_id) } };
  }
  // channel.go RemoveUserFromChannel: the removed user hears channel_id in data; the channel hears user_id in data.
  const channelId = str(data.channel_id) || str(broadcast.channel_id);
  const userId = str(data.user_id) || str(broadcast.user_id);
  const problem = ids({ channel_id: channelId, user_id: userId });
  return problem ? { problem } : { event: { type: "user_removed", channelId, userId, removerId: str(data.remover_id) } };
}

/** The typed event of a raw one, or what is wrong with it. */
export function parseEvent(raw: RawEvent): Parsed {
  switch (raw.event) {
    case "posted":
    case "post_edited":
    case "post_deleted":
      return postEvent(raw, raw.event);
    case "reaction_added":
    case "reaction_removed":
      return reactionEvent(raw, raw.event);
    case "typing": {
      const channelId = str(raw.broadcast.channel_id);
      const userId = str(raw.data.user_id);
      const problem = ids({ "broadcast.channel_id": channelId, "data.user_id": userId });
      return problem ? { problem } : { event: { type: "typing", channelId, userId, parentId: str(raw.data.parent_id) } };
    }
    case "channel_viewed":
    case "multiple_channels_viewed":
      return viewed(raw);
    case "user_added":
    case "user_removed":
      return membership(raw);
    case "channel_created": {
      const channelId = str(raw.data.channel_id);
      return isMmId(channelId) ? { event: { type: "channel_created", channelId, teamId: str(raw.data.team_id) } } : { problem: "data.channel_id must be an id" };
    }
    case "preferences_changed":
    case "preferences_deleted": {
      const got = embedded(raw.data, "preferences", checkList(checkPreference));
      if ("problem" in got) return got;
      return { event: { type: "preferences", deleted: raw.event === "preferences_deleted", preferences: got.value as MmPreference[] } };
    }
    case "user_updated": {
      const id = isRecord(raw.data.user) ? raw.data.user.id : undefined;
      return { event: isMmId(id) ? { type: "user_updated", userId: id } : { type: "user_updated" } };
    }
    default:
      return { event: { type: "other", event: raw.event, data: raw.data } };
  }
}

/** A frame as a raw event, a reply to one of our actions, or neither. */
export function classifyFrame(text: string): { raw: RawEvent } | { reply: { seqReply: number; ok: boolean } } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: "frame is not JSON" };
  }
  if (!isRecord(value)) return { problem: "frame is not an object" };
  if (typeof value.seq_reply === "number") return { reply: { seqReply: value.seq_reply, ok: value.status === "OK" } };
  if (typeof value.event !== "string") return { problem: "frame has neither event nor seq_reply" };
  if (value.seq !== undefined && (typeof value.seq !== "number" || !Number.isInteger(value.seq))) return { problem: "seq must be an integer" };
  const data = isRecord(value.data) ? value.data : {};
  const broadcast = isRecord(value.broadcast) ? value.broadcast : {};
  return { raw: { event: value.event, seq: value.seq as number | undefined, data, broadcast } };
}
