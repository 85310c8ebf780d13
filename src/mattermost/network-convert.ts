// Mattermost's wire types as the network interface's values (src/network), cursors, and Mattermost's errors as
// NetworkErrors. Pure; never throws (but `parseCursor`, on a cursor that is not one of ours).
import { kindOfStatus, NetworkError, type NetworkErrorKind } from "../network/errors";
import type { Cursor, NetworkFile, NetworkMessage, NetworkRoom, NetworkUser, RoomKind } from "../network/types";
import {
  MattermostApiError,
  MattermostBadResponseError,
  MattermostError,
  MattermostMaybeDeliveredError,
  MattermostNetworkError,
} from "./errors";
import { attachmentsMarkdown } from "./convert/attachments";
import { emoteText } from "./convert/from-mattermost";
import { MattermostOAuthError } from "./oauth";
import type { MmChannel, MmFileInfo, MmPost, MmTeam, MmUser } from "./types";

export const MATTERMOST = "Mattermost";
const KINDS: Record<MmChannel["type"], RoomKind> = { O: "group", P: "group", D: "direct", G: "group-direct" };
/** Milliseconds fit 15 digits until the year 33658: zero-padded, cursors sort as strings in time order. */
const TIME_DIGITS = 15;

export function toUser(u: MmUser): NetworkUser {
  const full = [u.first_name, u.last_name].filter((s) => s).join(" ");
  return { id: u.id, username: u.username, displayName: full || u.nickname || u.username };
}

/**
 * A channel as a room: public and private channels are groups named by their display name and qualified by their
 * team's; a direct channel is named after the other person; a group channel after the others, by name. With the
 * server's address (`web`), a team's channel has its page, `<server>/<team>/channels/<channel>`, and its team's.
 */
export function toRoom(c: MmChannel, teams: Map<string, MmTeam>, others: NetworkUser[], web?: string): NetworkRoom {
  const kind = KINDS[c.type];
  if (kind !== "group") {
    const names = others.map((u) => u.displayName).sort();
    return { id: c.id, kind, name: names.join(", ") || c.display_name, otherUserIds: others.map((u) => u.id), others };
  }
  const room: NetworkRoom = { id: c.id, kind, name: c.display_name || c.name };
  const team = teams.get(c.team_id);
  if (team) {
    room.qualifier = team.display_name || team.name;
    room.link = `${team.name}/${c.name}`;
    room.space = { id: team.id, name: room.qualifier };
    if (web) [room.webUrl, room.space.webUrl] = [`${web}/${team.name}/channels/${c.name}`, `${web}/${team.name}`];
  }
  const topic = c.header || c.purpose;
  if (topic) room.topic = topic;
  return room;
}

/** A direct channel's name is `<id1>__<id2>` (server/public/model/channel.go GetDMNameFromIds). */
export function directPartner(c: MmChannel, selfId: string): string | undefined {
  if (c.type !== "D") return undefined;
  const [a, b] = c.name.split("__");
  return a === selfId ? b : a;
}

/** `<create_at, 15 digits>.<post id>`, or `<time>.` for a moment with no post (an empty channel). */
export function cursorOf(createAt: number, postId = ""): Cursor {
  return `${String(Math.max(0, Math.floor(createAt))).padStart(TIME_DIGITS, "0")}.${postId}`;
}

export function parseCursor(cursor: Cursor): { at: number; postId: string } {
  const m = /^(\d{15})\.([a-z0-9]{26})?$/.exec(cursor);
  if (!m) throw new NetworkError("rejected", MATTERMOST, `not a Mattermost cursor: ${JSON.stringify(cursor.slice(0, 60))}`);
  return { at: Number(m[1]), postId: m[2] ?? "" };
}

export function toFile(f: MmFileInfo): NetworkFile {
  return { id: f.id, name: f.name, mimeType: f.mime_type, size: f.size };
}

/**
 * A post's type: "" a user's text, "me" a /me post (its text without the asterisks the server's /me writes, as an
 * emote is sent: ./network-history outgoingText), "slack_attachment" an integration's text with attachments (shown
 * as Markdown after the text: ./convert/attachments), anything else (system_join_channel...) the server's. Its
 * revision is its `edit_at`, set by each edit (server/channels/app/post.go UpdatePost). Posts carry no list of
 * mentions (the server finds them when it notifies): `mentions` stays absent and conversion reads the text.
 */
export function toMessage(p: MmPost): NetworkMessage {
  const msg: NetworkMessage = {
    id: p.id,
    roomId: p.channel_id,
    senderId: p.user_id,
    kind: p.type === "" || p.type === "slack_attachment" ? "text" : p.type === "me" ? "emote" : "system",
    text: postText(p),
    sentAt: p.create_at,
    cursor: cursorOf(p.create_at, p.id),
  };
  if (p.root_id) msg.threadId = p.root_id;
  if (p.edit_at) {
    msg.editedAt = p.edit_at;
    msg.revision = String(p.edit_at);
  }
  const files = p.metadata?.files;
  if (files?.length) msg.files = files.map(toFile);
  return msg;
}

function postText(p: MmPost): string {
  if (p.type === "me") return emoteText(p.message);
  if (p.type !== "slack_attachment") return p.message;
  const attachments = attachmentsMarkdown(p.props);
  return p.message.trim() === "" ? attachments : attachments === "" ? p.message : `${p.message}\n\n${attachments}`;
}

/** Any error of the Mattermost client as the NetworkError the core decides on; others pass through unchanged. */
export function toNetworkError(err: unknown): unknown {
  if (!(err instanceof MattermostError)) return err;
  const status = err instanceof MattermostApiError ? err.status : undefined;
  return new NetworkError(kindOf(err), MATTERMOST, err.message, { userMessage: err.userMessage, status, cause: err });
}

function kindOf(err: MattermostError): NetworkErrorKind {
  if (err instanceof MattermostMaybeDeliveredError) return "maybe-delivered";
  if (err instanceof MattermostNetworkError) return "unavailable";
  if (err instanceof MattermostBadResponseError) return "bad-response";
  if (err instanceof MattermostOAuthError) return err.reason === "unreachable" || err.reason === "server_error" ? "unavailable" : "rejected";
  if (!(err instanceof MattermostApiError)) return "rejected";
  return kindOfStatus(err.status);
}

/** Runs a client call, turning its errors into NetworkErrors. */
export async function guarded<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw toNetworkError(err);
  }
}
