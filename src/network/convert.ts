// A network's message conversion, both ways, as the core calls it (the shape of mautrix-go bridgev2's
// ConvertMessage / ConvertedMessage and its Matrix-to-remote converters, made small). The converter is pure: the
// I/O a message needs (copying web images to the homeserver, sharing Matrix files by link, finding who a name
// stands for) is the core's, handed in as hooks that never throw. Threads and replies are placed by the core.
import type { NetworkMessage } from "./types";

/** The Matrix user a network `@name` is pilled as. */
export interface MatrixMention {
  mxid: string;
  displayName: string;
}

/** A web image copied to the homeserver. */
export interface MatrixImageCopy {
  mxc: string;
  mimetype: string;
  size: number;
  /** Pixel size, when the bytes said. */
  w?: number;
  h?: number;
}

/** The web images a message shows, which Matrix clients load only from copies on the homeserver. */
export interface MessageImages {
  /** The image the message consists of and nothing else: shown as an image event of its own once copied. */
  sole?: string;
  /** The images shown within the text, in order, without repeats. */
  inline: string[];
}

export interface ToMatrixHooks {
  /** The Matrix user a network username is pilled as, or null to leave `@name` as text. Never throws. */
  mentionTarget(username: string): MatrixMention | null;
  /** The copy of an image `images` named, or null when it was not copied (it then stays a link). Never throws. */
  imageCopy(url: string): MatrixImageCopy | null;
}

/** `m.room.message` content; a converter's output never carries relations (the core places threads). */
export interface MatrixContent {
  msgtype: string;
  body: string;
  [key: string]: unknown;
}

/** The parts of an `m.room.message` text content (`m.text`, `m.notice`, `m.emote`) a converter reads. */
export interface MatrixTextIn {
  msgtype: string;
  body: string;
  format?: string;
  formatted_body?: string;
  "m.mentions"?: { user_ids?: string[]; room?: boolean };
  "m.relates_to"?: { "m.in_reply_to"?: { event_id?: string } };
}

export interface FromMatrixHooks {
  /** The network username behind a Matrix user (a ghost, or the user themselves), or null. Never throws. */
  usernameForMxid(mxid: string): string | null;
  /** The sending user's own network username. */
  ownUsername: string;
  /** The public address of a Matrix image (`mxc://`) shared by link, or null to write its description. Never throws. */
  mediaUrl(mxc: string): string | null;
}

/** What a Matrix message becomes on the network: text in its markup, sent as `OutgoingMessage` text and kind. */
export interface NetworkText {
  text: string;
  kind: "text" | "emote";
}

/** A Matrix file shared by link, as the network's readers are shown it. */
export interface SharedFile {
  msgtype: string;
  fileName: string;
  /** The bridge's public address for it; null when the bridge refused its address (shown unlinked). */
  url: string | null;
  size?: number;
}

export interface MessageConverter {
  /** The network's name for people, as notices say it ("was not sent to Gitter"). */
  readonly networkName: string;
  /** The longest text the network accepts, in the unit `textLength` counts. */
  readonly maxTextLength: number;
  /** How the network counts a text's length against `maxTextLength`, as it will be posted with `kind`. */
  textLength(message: NetworkText): number;

  /** The web images of a message the core should copy before `toMatrix`. */
  images(msg: NetworkMessage): MessageImages;
  /** The Matrix content for a network message, or null when it has nothing to show (a system notice, no text). */
  toMatrix(msg: NetworkMessage, hooks: ToMatrixHooks): MatrixContent | null;

  /**
   * A Matrix text message in the network's markup. Text over the limit is not cut: the core checks
   * `textLength` once it placed the message. An empty text means there is nothing to post.
   */
  fromMatrix(content: MatrixTextIn, hooks: FromMatrixHooks): NetworkText;
  /** The network's markup for a Matrix file shared by link (its caption, if any, follows on a line of its own). */
  fileLink(file: SharedFile): string;
}
