// What a message becomes on the other side, with the I/O the pure converters leave out: images copied to the
// homeserver, shared files recorded for the media route, thread and reply placement. Used for new messages and for
// edits alike, so an edited message reads exactly like a new one would.
import { gitterToMatrix } from "../convert/from-gitter";
import { matrixToGitter } from "../convert/from-matrix";
import { imageContent, imageSources, standaloneImage, type UploadedImage } from "../convert/gitter-images";
import { findElements, parseFragment } from "../convert/html";
import {
  formatSize, MEDIA_MSGTYPES, mediaCaption, mediaFileName, mediaMarkdown, safeFileName, type MatrixMediaIn,
} from "../convert/matrix-media";
import { withQuote, type MatrixRelation } from "../convert/replies";
import { GITTER_MAX_TEXT, HTML_FORMAT, type MatrixMessageIn, type MentionTarget } from "../convert/types";
import type { GitterMessage } from "../gitter/types";
import type { Portal } from "../store/store";
import { placeInGitter } from "./portal-threads";
import type { SessionContext } from "./session-context";

const TEXT_MSGTYPES = new Set(["m.text", "m.notice", "m.emote"]);
/** Images copied per message at most; a message showing more keeps the rest as links. */
const MAX_IMAGES = 8;

/**
 * The Matrix content for a Gitter message sent by `sender` (a ghost): an `m.image` when the message is a single
 * image that could be copied, else text with its web images copied inline. Never includes relations.
 * May throw only when the store is unreachable; a failed image copy leaves a link instead.
 */
export async function contentForMatrix(ctx: SessionContext, msg: GitterMessage, sender: string): Promise<Record<string, unknown>> {
  const html = typeof msg.html === "string" ? msg.html : "";
  const single = standaloneImage(html);
  if (single) {
    const copy = await ctx.media.copyImage(single.url, sender);
    if (copy) return { ...imageContent(single, copy) };
  }
  // Fetched side by side: the portal's queue waits for this message, so slow image hosts must not add up.
  const urls = imageSources(html).slice(0, MAX_IMAGES);
  const fetched = await Promise.all(urls.map((url) => ctx.media.copyImage(url, sender)));
  const copies = new Map<string, UploadedImage>();
  urls.forEach((url, i) => fetched[i] && copies.set(url, fetched[i]));
  const content = gitterToMatrix(
    { text: msg.text, html, status: msg.status, mentions: msg.mentions, fromUsername: msg.fromUser?.username },
    { mentionTarget: (username) => mentionTarget(ctx, username), imageMxc: (url) => copies.get(url)?.mxc ?? null },
  );
  return { ...content };
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
  | { kind: "send"; text: string; status: boolean; parentId?: string }
  /** Not sendable; `notice` tells the sender why, `reason` is a short fixed label for metrics. */
  | { kind: "refuse"; notice: string; reason: string }
  /** Nothing Gitter could show (an unknown msgtype, an empty message). */
  | { kind: "ignore" };

/**
 * What the owner's Matrix message becomes on Gitter, placed by `relation` (thread, reply). May throw (store or
 * homeserver unreachable).
 */
export async function contentForGitter(
  ctx: SessionContext,
  row: Portal,
  content: Record<string, unknown>,
  relation: MatrixRelation,
): Promise<Outgoing> {
  const msgtype = typeof content.msgtype === "string" ? content.msgtype : "";
  if (typeof content.body !== "string") return { kind: "ignore" };
  let converted: { text: string; status: boolean } | Outgoing;
  if (MEDIA_MSGTYPES.has(msgtype)) converted = await mediaForGitter(ctx, row, content as unknown as MatrixMediaIn);
  else if (TEXT_MSGTYPES.has(msgtype)) converted = await textForGitter(ctx, row, content as unknown as MatrixMessageIn);
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
  return { kind: "send", text, status: converted.status, ...(placement.parentId ? { parentId: placement.parentId } : {}) };
}

async function textForGitter(ctx: SessionContext, row: Portal, content: MatrixMessageIn): Promise<{ text: string; status: boolean }> {
  const links = await shareInlineImages(ctx, row, content);
  const out = matrixToGitter(content, {
    usernameForMxid: (mxid) => (mxid === ctx.mxid ? ctx.gitterUsername : ctx.ids.parseGhost(mxid)),
    ownUsername: ctx.gitterUsername,
    mediaUrl: (mxc) => links.get(mxc) ?? null,
  });
  return { text: out.text, status: out.status };
}

/** Records every mxc image of a formatted message as shared, so its Gitter link works; returns mxc -> public URL. */
async function shareInlineImages(ctx: SessionContext, row: Portal, content: MatrixMessageIn): Promise<Map<string, string>> {
  const links = new Map<string, string>();
  if (content.format !== HTML_FORMAT || typeof content.formatted_body !== "string") return links;
  for (const img of findElements(parseFragment(content.formatted_body), "img")) {
    const src = (img.attribs.src ?? "").trim();
    if (links.has(src)) continue;
    const url = await ctx.media.shareLink(src, safeFileName(img.attribs.alt || "image"), null, row.matrixRoomId);
    if (url) links.set(src, url);
  }
  return links;
}

async function mediaForGitter(ctx: SessionContext, row: Portal, content: MatrixMediaIn): Promise<{ text: string; status: boolean } | Outgoing> {
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
  const url = await ctx.media.shareLink(content.url, fileName, content.info?.mimetype ?? null, row.matrixRoomId);
  if (url === null) return { kind: "refuse", reason: "bad_media_url", notice: "the file's address is not one the bridge understands." };
  const link = mediaMarkdown(content.msgtype, fileName, url, size);
  const caption = mediaCaption(content);
  const captionText = caption ? (await textForGitter(ctx, row, caption)).text : "";
  return { text: captionText ? `${link}\n${captionText}` : link, status: false };
}
