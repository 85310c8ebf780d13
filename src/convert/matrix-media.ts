// Matrix files and images, for the Matrix -> Gitter direction. Pure: what a Gitter reader is shown for a shared file
// (a Markdown image or link to the bridge's public media route) and how that route's paths are built.
import type { MxcParts } from "../matrix/mxc";
import { escapeInline, escapeUrl } from "./markdown-escape";
import { HTML_FORMAT, type MatrixMessageIn } from "./types";

export const MEDIA_MSGTYPES = new Set(["m.image", "m.file", "m.video", "m.audio"]);

/** The fields of a media message's content this module reads. */
export interface MatrixMediaIn {
  msgtype: string;
  body: string;
  filename?: string;
  url?: string;
  info?: { mimetype?: string; size?: number };
  format?: string;
  formatted_body?: string;
}

export { parseMxc, type MxcParts } from "../matrix/mxc";

/** A file name safe in a URL path segment and a header: no folders, no control characters, never empty. */
export function safeFileName(name: string | undefined): string {
  const base = (name ?? "").split(/[\\/]/).pop() ?? "";
  const clean = base.replace(/[\u0000-\u001f\u007f"]/g, "").trim().slice(0, 200);
  return clean === "" || clean === "." || clean === ".." ? "file" : clean;
}

/** The file name of a media message: `filename` when set (then `body` is a caption), else `body`. */
export function mediaFileName(content: MatrixMediaIn): string {
  return safeFileName(typeof content.filename === "string" && content.filename !== "" ? content.filename : content.body);
}

/** The caption of a media message (MSC2530: a `filename` different from `body`), as text content; else null. */
export function mediaCaption(content: MatrixMediaIn): MatrixMessageIn | null {
  if (typeof content.filename !== "string" || content.filename === "" || content.body === content.filename) return null;
  if (content.body.trim() === "") return null;
  const caption: MatrixMessageIn = { msgtype: "m.text", body: content.body };
  if (content.format === HTML_FORMAT && typeof content.formatted_body === "string") {
    Object.assign(caption, { format: HTML_FORMAT, formatted_body: content.formatted_body });
  }
  return caption;
}

/** The path of shared media on the bridge's web server; the media route parses the same shape. */
export function mediaPath(parts: MxcParts, fileName: string): string {
  return `/media/${encodeURIComponent(parts.serverName)}/${encodeURIComponent(parts.mediaId)}/${encodeURIComponent(fileName)}`;
}

/** What Gitter readers see for a shared file: an image inline, anything else as a named link with its size. */
export function mediaMarkdown(msgtype: string, fileName: string, url: string, size?: number): string {
  const label = escapeInline(fileName);
  if (msgtype === "m.image") return `![${label}](${escapeUrl(url)})`;
  const sized = typeof size === "number" && size >= 0 ? ` (${formatSize(size)})` : "";
  return `[${label}](${escapeUrl(url)})${sized}`;
}

/** What Gitter readers see for a file whose address the bridge refused: its name, unlinked, and why. */
export function unlinkedMediaMarkdown(fileName: string): string {
  return `${escapeInline(fileName)} (file not available)`;
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}
