// Input and output shapes of Gitter's pure converters. They are deliberately narrower than the Gitter wire types and
// the Matrix event types so that this folder depends on neither edge; callers copy the few fields across.
import type { HTML_FORMAT, MentionTarget } from "../../convert/types";

/** The parts of a Gitter chat message the Gitter -> Matrix direction reads. */
export interface GitterMessageIn {
  /** Raw Markdown as the sender typed it (for a `/me` status: `@sender rest`, as Gitter's client sends it). */
  text: string;
  /** Server-rendered HTML of `text`; untrusted. */
  html: string;
  /** True for `/me` status messages. */
  status?: boolean;
  /**
   * The server's list of mentions; when present, only screen names it resolved to a user (`userId`) become pills:
   * `@nobody` is listed too, without a user, and group mentions (`@/all`) carry none either.
   */
  mentions?: { screenName: string; userId?: string }[];
  /** The sender's Gitter username; lets a status message drop exactly the sender's own leading mention. */
  fromUsername?: string;
}

export interface GitterToMatrixContext {
  /** Matrix user a Gitter username should be pilled as, or null to leave `@username` as text. Must not throw. */
  mentionTarget(username: string): MentionTarget | null;
  /**
   * The `mxc://` copy of an image the message shows from the web, or null when there is none (it then becomes a
   * link, since Matrix clients only load mxc images). Must not throw.
   */
  imageMxc?(url: string): string | null;
}

/** `m.room.message` content produced for a Gitter message. */
export interface MatrixMessageContent {
  msgtype: "m.text" | "m.emote";
  body: string;
  format?: typeof HTML_FORMAT;
  formatted_body?: string;
  /** Always present, so Matrix clients never fall back to guessing mentions from the body. */
  "m.mentions": { user_ids: string[] };
}

/** `m.image` content for an image a Gitter message consisted of, after it was copied to the homeserver. */
export interface MatrixImageContent {
  msgtype: "m.image";
  /** The image's description, or its file name when it has none. */
  body: string;
  filename: string;
  url: string;
  info: { mimetype: string; size: number; w?: number; h?: number };
  "m.mentions": { user_ids: string[] };
}

export const GITTER_MAX_TEXT = 4096;

export interface GitterMessageOut {
  text: string;
  status: boolean;
  /** Text is longer than Gitter accepts; the caller must tell the sender rather than cut it. */
  tooLong: boolean;
}
