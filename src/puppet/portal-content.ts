// What a message becomes on the other side, with the I/O the pure converters leave out: images copied to the
// homeserver, shared files recorded for the media route, thread and reply placement. Used for new messages and for
// edits alike, so an edited message reads exactly like a new one would.
import { gitterToMatrix } from "../convert/from-gitter";
import { matrixToGitter } from "../convert/from-matrix";
import { imageContent, imageSources, standaloneImage, type UploadedImage } from "../convert/gitter-images";
import { findElements, parseFragment } from "../convert/html";
import {
  formatSize, MEDIA_MSGTYPES, mediaCaption, mediaFileName, mediaMarkdown, safeFileName, unlinkedMediaMarkdown,
  type MatrixMediaIn,
} from "../convert/matrix-media";
import { withQuote, type MatrixRelation } from "../convert/replies";
import { GITTER_MAX_TEXT, HTML_FORMAT, type GitterMessageIn, type MatrixMessageIn, type MentionTarget } from "../convert/types";
import { looksLikeMxc } from "../matrix/mxc";
import type { NetworkMessage } from "../network/types";
import type { Portal } from "../store/store";
import type { ShareOrigin } from "./portal-media";
import { placeInGitter } from "./portal-threads";
import type { SessionContext } from "./session-context";

const TEXT_MSGTYPES = new Set(["m.text", "m.notice", "m.emote"]);
/** Images copied per message at most; a message showing more keeps the rest as links. */
const MAX_IMAGES = 8;

/**
 * The Matrix content for a network message sent by `sender` (a ghost): an `m.image` when the message is a single
 * image that could be copied, else text with its web images copied inline. Never includes relations.
 * May throw only when the store is unreachable; a failed image copy leaves a link instead.
 */
export async function contentForMatrix(ctx: SessionContext, msg: NetworkMessage, sender: string): Promise<Record<string, unknown>> {
  const input = gitterInputOf(msg);
  const single = standaloneImage(input.html);
  if (single) {
    const copy = await ctx.media.copyImage(single.url, sender);
    if (copy) return { ...imageContent(single, copy) };
  }
  // Fetched side by side: the portal's queue waits for this message, so slow image hosts must not add up.
  const urls = imageSources(input.html).slice(0, MAX_IMAGES);
  const fetched = await Promise.all(urls.map((url) => ctx.media.copyImage(url, sender)));
  const copies = new Map<string, UploadedImage>();
  urls.forEach((url, i) => fetched[i] && copies.set(url, fetched[i]));
  const content = gitterToMatrix(input, {
    mentionTarget: (username) => mentionTarget(ctx, username),
    imageMxc: (url) => copies.get(url)?.mxc ?? null,
  });
  return { ...content };
}

/**
 * What the text conversion reads of a message (the Gitter one, the only one the core calls yet): its text and HTML,
 * whether it is an emote, the mentions the network resolved, and its sender's username. Pure.
 */
export function gitterInputOf(msg: NetworkMessage): GitterMessageIn {
  // Wire data: a message pushed without html must still convert.
  const input: GitterMessageIn = { text: msg.text, html: typeof msg.html === "string" ? msg.html : "", status: msg.kind === "emote" };
  if (msg.mentions) input.mentions = msg.mentions.map((m) => ({ screenName: m.username, ...(m.userId === undefined ? {} : { userId: m.userId }) }));
  if (msg.sender) input.fromUsername = msg.sender.username;
  return input;
}

/** The Matrix user a Gitter @username is pilled as: the portal's owner for their own name, else that ghost. */
export function mentionTarget(ctx: SessionContext, username: string): MentionTarget | null {
  if (username.toLowerCase() === ctx.gitterUsername.toLowerCase()) return { mxid: ctx.mxid, displayName: username };
  try {
    return { mxid: ctx.ghosts.mxidFor(username), displayName: username };
  } catch {
    return null;
  }
}

export type Outgoing =
  /** `notice`, when set, tells the sender what was left out (a file link the bridge refused). */
  | { kind: "send"; text: string; status: boolean; parentId?: string; notice?: string }
  /** Not sendable; `notice` tells the sender why, `reason` is a short fixed label for metrics. */
  | { kind: "refuse"; notice: string; reason: string }
  /** Nothing Gitter could show (an unknown msgtype, an empty message). */
  | { kind: "ignore" };

/** The event a Matrix message or edit arrived in, and the message it belongs to: files it links are shared by it. */
export interface MatrixSource {
  eventId: string;
  /** The event itself for a new message, the edited message for an edit. */
  messageEventId: string;
}

interface Converted {
  text: string;
  status: boolean;
  /** Media addresses the bridge refused, for the notice. */
  refused: string[];
}

const REFUSED_NOTICE =
  "went to Gitter without the link to its file: the file's address is not a valid Matrix media address " +
  "(mxc://<server name>/<media id>), so the bridge does not serve it.";

/**
 * What the owner's Matrix message becomes on Gitter, placed by `relation` (thread, reply); the files it links are
 * recorded as shared by `source`. May throw (store or homeserver unreachable).
 */
export async function contentForGitter(
  ctx: SessionContext,
  row: Portal,
  content: Record<string, unknown>,
  relation: MatrixRelation,
  source: MatrixSource,
): Promise<Outgoing> {
  const msgtype = typeof content.msgtype === "string" ? content.msgtype : "";
  if (typeof content.body !== "string") return { kind: "ignore" };
  const origin: ShareOrigin = { ...source, matrixRoomId: row.matrixRoomId, mxid: ctx.mxid };
  let converted: Converted | Outgoing;
  if (MEDIA_MSGTYPES.has(msgtype)) converted = await mediaForGitter(ctx, content as unknown as MatrixMediaIn, origin);
  else if (TEXT_MSGTYPES.has(msgtype)) converted = await textForGitter(ctx, content as unknown as MatrixMessageIn, origin);
  else return { kind: "ignore" };
  if ("kind" in converted) return converted;
  if (converted.text.trim() === "") return { kind: "ignore" };
  const placement = await placeInGitter(ctx, row, relation);
  const text = placement.quote ? withQuote(placement.quote, converted.text) : converted.text;
  if (text.length > GITTER_MAX_TEXT) {
    return {
      kind: "refuse",
      reason: "too_long",
      notice: `it is ${text.length} characters long and Gitter accepts at most ${GITTER_MAX_TEXT}. Please split it.`,
    };
  }
  return {
    kind: "send",
    text,
    status: converted.status,
    ...(placement.parentId ? { parentId: placement.parentId } : {}),
    ...(converted.refused.length > 0 ? { notice: REFUSED_NOTICE } : {}),
  };
}

async function textForGitter(ctx: SessionContext, content: MatrixMessageIn, origin: ShareOrigin): Promise<Converted> {
  const { links, refused } = await shareInlineImages(ctx, content, origin);
  const out = matrixToGitter(content, {
    usernameForMxid: (mxid) => (mxid === ctx.mxid ? ctx.gitterUsername : ctx.ids.parseGhost(mxid)),
    ownUsername: ctx.gitterUsername,
    mediaUrl: (mxc) => links.get(mxc) ?? null,
  });
  return { text: out.text, status: out.status, refused };
}

/**
 * Records every mxc image of a formatted message as shared, so its Gitter link works; returns mxc -> public URL,
 * and the mxc addresses refused (they become the image's description on Gitter).
 */
async function shareInlineImages(
  ctx: SessionContext,
  content: MatrixMessageIn,
  origin: ShareOrigin,
): Promise<{ links: Map<string, string>; refused: string[] }> {
  const links = new Map<string, string>();
  const refused: string[] = [];
  if (content.format !== HTML_FORMAT || typeof content.formatted_body !== "string") return { links, refused };
  for (const img of findElements(parseFragment(content.formatted_body), "img")) {
    const src = (img.attribs.src ?? "").trim();
    if (links.has(src) || !looksLikeMxc(src)) continue;
    const url = await ctx.media.shareLink(src, safeFileName(img.attribs.alt || "image"), null, origin);
    if (url) links.set(src, url);
    else refused.push(src);
  }
  return { links, refused };
}

async function mediaForGitter(ctx: SessionContext, content: MatrixMediaIn, origin: ShareOrigin): Promise<Converted | Outgoing> {
  if (typeof content.url !== "string") {
    return { kind: "refuse", reason: "encrypted_file", notice: "it is an encrypted file, which the bridge cannot pass to Gitter." };
  }
  const size = typeof content.info?.size === "number" ? content.info.size : undefined;
  if (size !== undefined && size > ctx.media.maxBytes) {
    return {
      kind: "refuse",
      reason: "file_too_large",
      notice: `the file is ${formatSize(size)} and the bridge passes files of at most ${formatSize(ctx.media.maxBytes)}.`,
    };
  }
  const fileName = mediaFileName(content);
  const url = await ctx.media.shareLink(content.url, fileName, content.info?.mimetype ?? null, origin);
  const link = url === null ? unlinkedMediaMarkdown(fileName) : mediaMarkdown(content.msgtype, fileName, url, size);
  const caption = mediaCaption(content);
  const captioned = caption ? await textForGitter(ctx, caption, origin) : null;
  const refused = [...(url === null ? [content.url] : []), ...(captioned?.refused ?? [])];
  return { text: captioned?.text ? `${link}\n${captioned.text}` : link, status: false, refused };
}
