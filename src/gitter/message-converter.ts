// Gitter's message conversion as the network interface's converter (src/network/convert.ts), over the pure pair in
// ./convert: Gitter's server HTML into Matrix content (./convert/from-gitter.ts), Matrix content into Gitter Markdown
// (./convert/from-matrix.ts), and the web images a Gitter message shows (./convert/images.ts). Pure.
import { mediaMarkdown, unlinkedMediaMarkdown } from "../convert/matrix-media";
import { gitterToMatrix } from "./convert/from-gitter";
import { matrixToGitter } from "./convert/from-matrix";
import { imageContent, imageSources, standaloneImage } from "./convert/images";
import { GITTER_MAX_TEXT, type GitterMessageIn } from "./convert/types";
import type { MatrixContent, MessageConverter, MessageImages, NetworkText, SharedFile, ToMatrixHooks } from "../network/convert";
import type { NetworkMessage } from "../network/types";
import { GITTER } from "./network-convert";

/** Images copied per message at most; a message showing more keeps the rest as links. */
const MAX_IMAGES = 8;

/**
 * What the text conversion reads of a message: its text and HTML, whether it is an emote, the mentions Gitter
 * resolved, and its sender's username. Pure.
 */
export function gitterInputOf(msg: NetworkMessage): GitterMessageIn {
  // Wire data: a message pushed without html must still convert.
  const input: GitterMessageIn = { text: msg.text, html: typeof msg.html === "string" ? msg.html : "", status: msg.kind === "emote" };
  if (msg.mentions) input.mentions = msg.mentions.map((m) => ({ screenName: m.username, ...(m.userId === undefined ? {} : { userId: m.userId }) }));
  if (msg.sender) input.fromUsername = msg.sender.username;
  return input;
}

function images(msg: NetworkMessage): MessageImages {
  const html = gitterInputOf(msg).html;
  const sole = standaloneImage(html);
  return { ...(sole ? { sole: sole.url } : {}), inline: imageSources(html).slice(0, MAX_IMAGES) };
}

/** An `m.image` when the message is a single image that was copied, else its text with the copied images inline. */
function toMatrix(msg: NetworkMessage, hooks: ToMatrixHooks): MatrixContent {
  const input = gitterInputOf(msg);
  const sole = standaloneImage(input.html);
  const copy = sole ? hooks.imageCopy(sole.url) : null;
  if (sole && copy) return { ...imageContent(sole, copy) };
  return {
    ...gitterToMatrix(input, {
      mentionTarget: (username) => hooks.mentionTarget(username),
      imageMxc: (url) => hooks.imageCopy(url)?.mxc ?? null,
    }),
  };
}

function fileLink(file: SharedFile): string {
  return file.url === null ? unlinkedMediaMarkdown(file.fileName) : mediaMarkdown(file.msgtype, file.fileName, file.url, file.size);
}

export const GITTER_CONVERTER: MessageConverter = {
  networkName: GITTER,
  maxTextLength: GITTER_MAX_TEXT,
  // JavaScript's length (UTF-16 code units), as the bridge has always measured Gitter text, a status's `@name` included.
  textLength: (message: NetworkText) => message.text.length,
  images,
  toMatrix,
  fromMatrix: (content, hooks) => {
    const out = matrixToGitter(content, {
      usernameForMxid: (mxid) => hooks.usernameForMxid(mxid),
      ownUsername: hooks.ownUsername,
      mediaUrl: (mxc) => hooks.mediaUrl(mxc),
    });
    return { text: out.text, kind: out.status ? "emote" : "text" };
  },
  fileLink,
};
