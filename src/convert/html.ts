// Small DOM helpers shared by both directions, over htmlparser2's tree.
import { DomUtils, ElementType, parseDocument } from "htmlparser2";

export type HtmlNode = ReturnType<typeof parseDocument>["children"][number];
export type HtmlElement = Extract<HtmlNode, { attribs: Record<string, string> }>;

/** Elements nested deeper than this keep only their text: the converters walk trees recursively. */
export const MAX_DEPTH = 64;

/**
 * Parses an HTML fragment leniently (never throws); entities are decoded in text and attribute values.
 * Elements nested deeper than MAX_DEPTH are replaced by their text, so that a message of ten thousand nested
 * tags cannot exhaust the stack of the recursive walks that follow.
 */
export function parseFragment(html: string): HtmlNode[] {
  const doc = parseDocument(html);
  flattenDeep(doc.children);
  return doc.children;
}

function flattenDeep(roots: HtmlNode[]): void {
  const stack: Array<[HtmlNode, number]> = roots.map((node) => [node, 1]);
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (!("children" in node)) continue;
    if (depth < MAX_DEPTH) {
      for (const child of node.children) stack.push([child, depth + 1]);
      continue;
    }
    const text = parseDocument("x").children[0] as HtmlText;
    text.data = flatText(node);
    DomUtils.replaceElement(node, text);
  }
}

/** The text under `node`, in document order, without recursion. */
function flatText(node: HtmlNode): string {
  let out = "";
  const stack: HtmlNode[] = [node];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (isText(next)) out += next.data;
    else if ("children" in next) for (let i = next.children.length - 1; i >= 0; i--) stack.push(next.children[i]!);
  }
  return out;
}

export function isElement(node: HtmlNode): node is HtmlElement {
  return ElementType.isTag(node);
}

export type HtmlText = Extract<HtmlNode, { type: ElementType.ElementType.Text }>;

export function isText(node: HtmlNode): node is HtmlText {
  return node.type === ElementType.Text;
}

/** Detaches a node from its parent (the caller owns the tree). */
export function removeNode(node: HtmlNode): void {
  DomUtils.removeElement(node);
}

/** Descendant elements named `name`, in document order. */
export function findElements(nodes: HtmlNode[], name: string): HtmlElement[] {
  return DomUtils.findAll((el) => el.name === name, nodes);
}

export function textOf(node: HtmlNode | HtmlNode[]): string {
  return DomUtils.textContent(node);
}

export function escapeText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function escapeAttr(value: string): string {
  return escapeText(value).replace(/"/g, "&quot;");
}

const SCHEME = /^([a-z][a-z0-9+.-]*):/i;
const LINK_SCHEMES = new Set(["http", "https", "mailto", "matrix"]);

/**
 * An absolute link target safe to hand to a Matrix client or to Gitter, or null.
 * Protocol-relative URLs become https; relative and other-scheme URLs (javascript:, data:, ...) are refused.
 */
export function safeLinkUrl(raw: string | undefined): string | null {
  const href = (raw ?? "").trim();
  if (href.startsWith("//")) return `https:${href}`;
  const scheme = SCHEME.exec(href)?.[1]?.toLowerCase();
  return scheme !== undefined && LINK_SCHEMES.has(scheme) ? href : null;
}

const MATRIX_TO = /^https:\/\/matrix\.to\/#\/([^/?#]+)/i;
const MATRIX_URI_USER = /^matrix:u\/([^/?#]+)/i;

/** The Matrix user a pill link points at (`https://matrix.to/#/@u:s`, percent-encoded or not, or `matrix:u/u:s`). */
export function pillMxid(href: string | undefined): string | null {
  const value = (href ?? "").trim();
  const viaUri = MATRIX_URI_USER.exec(value)?.[1];
  const raw = viaUri === undefined ? MATRIX_TO.exec(value)?.[1] : `@${viaUri}`;
  if (raw === undefined) return null;
  try {
    const id = decodeURIComponent(raw);
    return id.startsWith("@") ? id : null;
  } catch {
    return null;
  }
}

export function pillUrl(mxid: string): string {
  return `https://matrix.to/#/${mxid}`;
}
