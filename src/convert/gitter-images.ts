// Images in Gitter messages, for the Gitter -> Matrix direction. Pure: which web images a message shows, whether the
// whole message is one image (it then becomes an `m.image`), and the `m.image` content for an uploaded copy.
import { findElements, isElement, isText, parseFragment, textOf, type HtmlElement, type HtmlNode } from "./html";
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

function pathOf(url: string): string {
  try {
    return decodeURIComponent(new URL(url).pathname);
  } catch {
    return "";
  }
}

/** The file name a URL ends in, or "image" when it has none. */
export function fileNameOf(url: string): string {
  const name = pathOf(url).split("/").pop() ?? "";
  return name.trim() === "" ? "image" : name;
}

export interface UploadedImage {
  mxc: string;
  mimetype: string;
  size: number;
  /** Pixel size, when the bytes said. */
  w?: number;
  h?: number;
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

/** Width and height from a PNG, GIF or JPEG header; null for other formats or damaged bytes. */
export function imageDimensions(bytes: Uint8Array): { w: number; h: number } | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = (i: number, s: string) => [...s].every((c, k) => bytes[i + k] === c.charCodeAt(0));
  if (bytes.length >= 24 && at(1, "PNG") && at(12, "IHDR")) return { w: view.getUint32(16), h: view.getUint32(20) };
  if (bytes.length >= 10 && at(0, "GIF8")) return { w: view.getUint16(6, true), h: view.getUint16(8, true) };
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8) return jpegDimensions(view);
  return null;
}

/** Walks the JPEG segments to the first start-of-frame marker, which holds the size. */
function jpegDimensions(view: DataView): { w: number; h: number } | null {
  let i = 2;
  while (i + 9 < view.byteLength) {
    if (view.getUint8(i) !== 0xff) return null;
    const marker = view.getUint8(i + 1);
    const isFrame = marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker);
    if (isFrame) return { h: view.getUint16(i + 5), w: view.getUint16(i + 7) };
    i += 2 + view.getUint16(i + 2);
  }
  return null;
}
