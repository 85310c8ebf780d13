// Mattermost's message conversion as the network interface's converter (src/network/convert.ts), over the pure
// pair in ./convert: a post's Markdown into Matrix content (./convert/from-mattermost.ts), Matrix content into a
// post's Markdown (./convert/from-matrix.ts). Pure.
import { mediaMarkdown, unlinkedMediaMarkdown } from "../convert/matrix-media";
import type { MatrixContent, MessageConverter, NetworkText, SharedFile, ToMatrixHooks } from "../network/convert";
import type { NetworkMessage } from "../network/types";
import { mattermostToMatrix } from "./convert/from-mattermost";
import { matrixToMattermost } from "./convert/from-matrix";
import { MATTERMOST_MAX_RUNES } from "./convert/types";
import { outgoingText } from "./network-history";
import { MATTERMOST } from "./network-convert";

/**
 * The post's type as the converter reads it: the network message keeps only its kind, so any type other than an
 * ordinary or /me post reads as the server's own (`system_*`), which is not shown as a message.
 */
function postType(msg: NetworkMessage): string {
  return msg.kind === "emote" ? "me" : msg.kind === "system" ? "system_" : "";
}

function toMatrix(msg: NetworkMessage, hooks: ToMatrixHooks): MatrixContent | null {
  // A /me post's text comes without its asterisks (./network-convert toMessage): the post is read as written.
  const message = msg.kind === "emote" ? outgoingText({ text: msg.text, kind: "emote" }) : msg.text;
  const out = mattermostToMatrix({ message, type: postType(msg) }, { mentionTarget: (username) => hooks.mentionTarget(username) });
  return out.kind === "message" ? { ...out.content } : null;
}

function fileLink(file: SharedFile): string {
  return file.url === null ? unlinkedMediaMarkdown(file.fileName) : mediaMarkdown(file.msgtype, file.fileName, file.url, file.size);
}

export const MATTERMOST_CONVERTER: MessageConverter = {
  networkName: MATTERMOST,
  maxTextLength: MATTERMOST_MAX_RUNES,
  // The server counts runes (Unicode code points) of the message as posted, a /me post's asterisks included
  // (server/public/model/post.go IsValid: utf8.RuneCountInString(o.Message) > maxPostSize).
  textLength: (message: NetworkText) => [...outgoingText(message)].length,
  // Mattermost's Markdown renderer here shows no images inline: there is nothing to copy.
  images: () => ({ inline: [] }),
  toMatrix,
  fromMatrix: (content, hooks) => {
    // The adapter writes a /me post as Mattermost's client does (network-history.ts outgoingText): the converter
    // gives the text alone.
    const emote = content.msgtype === "m.emote";
    const out = matrixToMattermost(emote ? { ...content, msgtype: "m.text" } : content, {
      usernameForMxid: (mxid) => hooks.usernameForMxid(mxid),
      mediaUrl: (mxc) => hooks.mediaUrl(mxc),
    });
    return { text: out.message, kind: emote && out.message !== "" ? "emote" : "text" };
  },
  fileLink,
};
