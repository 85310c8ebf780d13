// Shapes the networks' pure converters share: a pill's target, the Matrix HTML format, the Matrix content the HTML ->
// Markdown walk reads and its context. Each network's own shapes are in its folder (src/gitter/convert/types.ts,
// src/mattermost/convert/types.ts).

export interface MentionTarget {
  mxid: string;
  displayName: string;
}

export const HTML_FORMAT = "org.matrix.custom.html";

/** The parts of an `m.room.message` content the Matrix -> Gitter direction reads. */
export interface MatrixMessageIn {
  msgtype: string;
  body: string;
  format?: string;
  formatted_body?: string;
  "m.relates_to"?: { "m.in_reply_to"?: { event_id?: string } };
}

export interface MatrixToGitterContext {
  /** Gitter username behind a Matrix user (ghosts, or the puppeted user), or null. Must not throw. */
  usernameForMxid(mxid: string): string | null;
  /** Name to write for a mentioned Matrix user with no Gitter account; defaults to the pill's own text. */
  displayNameForMxid?(mxid: string): string | null;
  /** The sending user's Gitter username; an emote then reads `@username rest`, as Gitter's own `/me` does. */
  ownUsername?: string;
  /** Public URL for an `mxc://` image, or null to write the image's description instead. */
  mediaUrl?(mxc: string): string | null;
}
