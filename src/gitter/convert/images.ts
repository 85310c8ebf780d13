// Images in Gitter messages, for the Gitter -> Matrix direction. Pure: which web images a message shows, whether the
// whole message is one image (it then becomes an `m.image`), and the `m.image` content for an uploaded copy.
import { findElements, isElement, isText, parseFragment, textOf, type HtmlElement, type HtmlNode } from "../../convert/html";
import { fileNameOf, pathOf, type UploadedImage } from "../../convert/images";
import type { MatrixImageContent } from "./types";

const WEB_URL = /^https?:\/\//i;
/** A bare link is taken for an image only when its path says so; other links are never fetched. */
const IMAGE_PATH = /\.(png|jpe?g|gif|webp)$/i;

/** The http(s) sources of the images in Gitter's HTML, in order, without repeats. */
export function imageSources(html: string): string[] {
  const srcs = findElements(parseFragment(typeof html === "string" ? html : ""), "img")
    .map((el) => (el.attribs.src ?? "").trim())
    .filter((src) => WEB_URL.test(src));
  return [...new Set(srcs)];
}

export interface StandaloneImage {
  url: string;
  /** What the sender wrote as its description (empty when none). */
  alt: string;
}

/**
 * The image a message consists of and nothing else: one `![alt](url)` (possibly linked), or one bare link whose
 * path ends in an image extension. Null for anything with more to say. Never throws.
 */
export function standaloneImage(html: string): StandaloneImage | null {
  const only = soleElement(parseFragment(typeof html === "string" ? html : ""));
  if (only === null) return null;
  const img = only.name === "a" ? soleElement(only.children) : only;
  if (img?.name === "img") {
    const url = (img.attribs.src ?? "").trim();
    return WEB_URL.test(url) ? { url, alt: (img.attribs.alt ?? "").trim() } : null;
  }
  if (only.name !== "a") return null;
  const href = (only.attribs.href ?? "").trim();
  const bare = textOf(only).trim() === href && WEB_URL.test(href) && IMAGE_PATH.test(pathOf(href));
  return bare ? { url: href, alt: "" } : null;
}

/** The single element among `nodes`, looking through one wrapping paragraph; null if there is anything else. */
function soleElement(nodes: HtmlNode[]): HtmlElement | null {
  const meaningful = nodes.filter((n) => !(isText(n) && n.data.trim() === ""));
  const [first] = meaningful;
  if (meaningful.length !== 1 || first === undefined || !isElement(first)) return null;
  return first.name === "p" ? soleElement(first.children) : first;
}

/** The `m.image` content for an uploaded copy of a standalone image. The description, if any, is the caption. */
export function imageContent(image: StandaloneImage, upload: UploadedImage): MatrixImageContent {
  const filename = fileNameOf(image.url);
  const info: MatrixImageContent["info"] = { mimetype: upload.mimetype, size: upload.size };
  if (upload.w !== undefined && upload.h !== undefined) Object.assign(info, { w: upload.w, h: upload.h });
  return {
    msgtype: "m.image",
    body: image.alt || filename,
    filename,
    url: upload.mxc,
    info,
    "m.mentions": { user_ids: [] },
  };
}

