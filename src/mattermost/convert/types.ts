// Input and output shapes of the Mattermost converters: narrower than the wire types on either side, so that this
// folder depends on neither edge.

/** The parts of a Mattermost post the Mattermost -> Matrix direction reads (server/public/model/post.go). */
export interface MattermostPostIn {
  /** Markdown as the author typed it. */
  message: string;
  /** `""` for an ordinary post, `"me"` for /me, `"system_..."` for the server's own notices, plugin types, ... */
  type?: string;
  /** Milliseconds; non-zero once deleted. */
  delete_at?: number;
}

export interface MentionTarget {
  mxid: string;
  displayName: string;
}

export interface MattermostToMatrixContext {
  /** Matrix user a Mattermost username (lower case) should be pilled as, or null to leave `@name` as text. Must not throw. */
  mentionTarget(username: string): MentionTarget | null;
}

export const HTML_FORMAT = "org.matrix.custom.html";

/** `m.room.message` content for a Mattermost post. */
export interface MatrixContentOut {
  msgtype: "m.text" | "m.emote";
  body: string;
  format?: typeof HTML_FORMAT;
  formatted_body?: string;
  /** Always present, so Matrix clients never guess mentions from the body. */
  "m.mentions": { user_ids: string[]; room?: true };
}

export type FromMattermost =
  | { kind: "message"; content: MatrixContentOut }
  | { kind: "ignore"; reason: "deleted" | "system" | "unsupported-type" | "empty" };

/** The parts of an `m.room.message` content the Matrix -> Mattermost direction reads. */
export interface MatrixMessageIn {
  msgtype: string;
  body: string;
  format?: string;
  formatted_body?: string;
  "m.mentions"?: { user_ids?: string[]; room?: boolean };
  "m.relates_to"?: { "m.in_reply_to"?: { event_id?: string } };
}

export interface MatrixToMattermostContext {
  /** Mattermost username behind a Matrix user (a ghost, or the puppeted user), or null. Must not throw. */
  usernameForMxid(mxid: string): string | null;
  /** Name to write for a mentioned Matrix user with no Mattermost account; defaults to the pill's own text. */
  displayNameForMxid?(mxid: string): string | null;
  /** Public URL for an `mxc://` image shown in the HTML, or null to write the image's description instead. */
  mediaUrl?(mxc: string): string | null;
}

/** `model.PostMessageMaxRunesV2` (server/public/model/post.go): longer messages are refused by the server. */
export const MATTERMOST_MAX_RUNES = 16383;

export interface MattermostMessageOut {
  message: string;
  /** `"me"` for an emote, as the server's own /me command posts it (slashcommands/command_me.go). */
  type: "" | "me";
  /** Longer than the server accepts; the caller must tell the sender rather than cut it. */
  tooLong: boolean;
}
