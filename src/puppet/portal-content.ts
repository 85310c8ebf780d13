// What a message becomes on the other side, with the I/O the pure converters leave out: images copied to the
// homeserver, shared files recorded for the media route, thread and reply placement. Used for new messages and for
// edits alike, so an edited message reads exactly like a new one would.
import { findElements, parseFragment } from "../convert/html";
import { formatSize, MEDIA_MSGTYPES, mediaCaption, mediaFileName, parseMxc, safeFileName, type MatrixMediaIn } from "../convert/matrix-media";
import { withQuote, type MatrixRelation } from "../convert/replies";
import { HTML_FORMAT } from "../convert/types";
import { looksLikeMxc } from "../matrix/mxc";
import type { MatrixImageCopy, MatrixMention, MatrixTextIn, MessageConverter, NetworkText } from "../network/convert";
import type { NetworkMessage } from "../network/types";
import type { Portal } from "../store/store";
import type { ShareOrigin } from "./portal-media";
import { placeInGitter } from "./portal-threads";
import type { SessionContext } from "./session-context";

const TEXT_MSGTYPES = new Set(["m.text", "m.notice", "m.emote"]);

/** The network's message conversion (src/network/convert.ts), which the session's client carries. */
function converterOf(ctx: SessionContext): MessageConverter {
  return ctx.network.profile.converter;
}

/**
 * The Matrix content for a network message sent by `sender` (a ghost), converted by the network's converter: an
 * image event when the message is a single web image that could be copied, else text with its web images copied
 * inline; null when the message has nothing to show. Never includes relations.
 * May throw only when the store is unreachable; a failed image copy leaves a link instead.
 */
export async function contentForMatrix(ctx: SessionContext, msg: NetworkMessage, sender: string): Promise<Record<string, unknown> | null> {
  const converter = converterOf(ctx);
  const images = converter.images(msg);
  const copies = new Map<string, MatrixImageCopy>();
  const sole = images.sole === undefined ? null : await ctx.media.copyImage(images.sole, sender);
  if (images.sole !== undefined && sole) copies.set(images.sole, sole);
  else {
    // Fetched side by side: the portal's queue waits for this message, so slow image hosts must not add up.
    const fetched = await Promise.all(images.inline.map((url) => ctx.media.copyImage(url, sender)));
    images.inline.forEach((url, i) => fetched[i] && copies.set(url, fetched[i]));
  }
  const content = converter.toMatrix(msg, {
    mentionTarget: (username) => mentionTarget(ctx, username),
    imageCopy: (url) => copies.get(url) ?? null,
  });
  return content === null ? null : { ...content };
}

/** The Matrix user a network @username is pilled as: the portal's owner for their own name, else that ghost. */
export function mentionTarget(ctx: SessionContext, username: string): MatrixMention | null {
  if (username.toLowerCase() === ctx.gitterUsername.toLowerCase()) return { mxid: ctx.mxid, displayName: username };
  try {
    return { mxid: ctx.ghosts.mxidFor(username), displayName: username };
  } catch {
    return null;
  }
}

/** A Matrix file to upload to the network and post with the text (networks with `capabilities.files`). */
export interface MatrixFile {
  mxc: string;
  fileName: string;
  mimetype: string | null;
}

export type Outgoing =
  /** `notice`, when set, tells the sender what was left out (a file link the bridge refused). */
  | { kind: "send"; text: string; status: boolean; parentId?: string; notice?: string; file?: MatrixFile }
  /** Not sendable; `notice` tells the sender why, `reason` is a short fixed label for metrics. */
  | { kind: "refuse"; notice: string; reason: string }
  /** Nothing the network could show (an unknown msgtype, an empty message). */
  | { kind: "ignore" };

/** The event a Matrix message or edit arrived in, and the message it belongs to: files it links are shared by it. */
export interface MatrixSource {
  eventId: string;
  /** The event itself for a new message, the edited message for an edit. */
  messageEventId: string;
}

interface Converted extends NetworkText {
  /** Media addresses the bridge refused, for the notice. */
  refused: string[];
  file?: MatrixFile;
}

function refusedNotice(network: string): string {
  return (
    `went to ${network} without the link to its file: the file's address is not a valid Matrix media address ` +
    "(mxc://<server name>/<media id>), so the bridge does not serve it."
  );
}

/**
 * What the owner's Matrix message becomes on the network, in its converter's markup and within its limit, placed
 * by `relation` (thread, reply); the files it links are recorded as shared by `source`. May throw (store or
 * homeserver unreachable).
 */
export async function contentForNetwork(
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
  if (MEDIA_MSGTYPES.has(msgtype)) converted = await mediaForNetwork(ctx, content as unknown as MatrixMediaIn, origin);
  else if (TEXT_MSGTYPES.has(msgtype)) converted = await textForNetwork(ctx, content as unknown as MatrixTextIn, origin);
  else return { kind: "ignore" };
  return "refused" in converted ? placed(ctx, row, relation, converted) : converted;
}

/** The converted message placed in its thread, with a quote of what it replies to where the network needs one. */
async function placed(ctx: SessionContext, row: Portal, relation: MatrixRelation, converted: Converted): Promise<Outgoing> {
  if (converted.text.trim() === "") return { kind: "ignore" };
  const converter = converterOf(ctx);
  const placement = await placeInGitter(ctx, row, relation);
  const text = placement.quote ? withQuote(placement.quote, converted.text) : converted.text;
  const length = converter.textLength({ text, kind: converted.kind });
  if (length > converter.maxTextLength) {
    return {
      kind: "refuse",
      reason: "too_long",
      notice: `it is ${length} characters long and ${converter.networkName} accepts at most ${converter.maxTextLength}. Please split it.`,
    };
  }
  return {
    kind: "send",
    text,
    status: converted.kind === "emote",
    ...(placement.parentId ? { parentId: placement.parentId } : {}),
    ...(converted.refused.length > 0 ? { notice: refusedNotice(converter.networkName) } : {}),
    ...(converted.file ? { file: converted.file } : {}),
  };
}

async function textForNetwork(ctx: SessionContext, content: MatrixTextIn, origin: ShareOrigin): Promise<Converted> {
  const { links, refused } = await shareInlineImages(ctx, content, origin);
  const out = converterOf(ctx).fromMatrix(content, {
    usernameForMxid: (mxid) => (mxid === ctx.mxid ? ctx.gitterUsername : ctx.ids.parseGhost(mxid)),
    ownUsername: ctx.gitterUsername,
    mediaUrl: (mxc) => links.get(mxc) ?? null,
  });
  return { ...out, refused };
}

/**
 * Records every mxc image of a formatted message as shared, so its link on the network works; returns mxc -> public
 * URL, and the mxc addresses refused (they become the image's description there).
 */
async function shareInlineImages(
  ctx: SessionContext,
  content: MatrixTextIn,
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

async function mediaForNetwork(ctx: SessionContext, content: MatrixMediaIn, origin: ShareOrigin): Promise<Converted | Outgoing> {
  const converter = converterOf(ctx);
  if (typeof content.url !== "string") {
    return { kind: "refuse", reason: "encrypted_file", notice: `it is an encrypted file, which the bridge cannot pass to ${converter.networkName}.` };
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
  if (ctx.capabilities.files) return fileForNetwork(ctx, content, content.url, fileName, origin);
  const url = await ctx.media.shareLink(content.url, fileName, content.info?.mimetype ?? null, origin);
  const link = converter.fileLink({ msgtype: content.msgtype, fileName, url, ...(size === undefined ? {} : { size }) });
  const caption = mediaCaption(content);
  const captioned = caption ? await textForNetwork(ctx, caption, origin) : null;
  const refused = [...(url === null ? [content.url] : []), ...(captioned?.refused ?? [])];
  return { text: captioned?.text ? `${link}\n${captioned.text}` : link, kind: "text", refused };
}

/**
 * A file for a network that takes uploads: its caption (or, without one, its name) as the text, and the file to
 * upload; refused when its address is not a valid mxc.
 */
async function fileForNetwork(ctx: SessionContext, content: MatrixMediaIn, mxc: string, fileName: string, origin: ShareOrigin): Promise<Converted | Outgoing> {
  if (!parseMxc(mxc)) {
    return { kind: "refuse", reason: "invalid_mxc", notice: "the file's address is not a valid Matrix media address (mxc://<server name>/<media id>)." };
  }
  const caption = mediaCaption(content) ?? { msgtype: "m.text", body: fileName };
  const text = await textForNetwork(ctx, caption, origin);
  return { ...text, file: { mxc, fileName, mimetype: content.info?.mimetype ?? null } };
}
