// Rewrites Gitter's server-rendered HTML into Matrix terms before sanitizing: mention spans become pills,
// non-mxc images become links, links lose Gitter's presentation attributes, unsafe links lose their target.
// The output is not yet safe; sanitizeForMatrix() is what makes it so.
import {
  escapeAttr, escapeText, isElement, isText, pillUrl, safeLinkUrl, textOf, type HtmlElement, type HtmlNode,
} from "../../convert/html";
import { parseMxc } from "../../convert/matrix-media";
import type { GitterToMatrixContext } from "./types";

const VOID_TAGS = new Set(["br", "hr", "img", "wbr", "input", "meta", "link", "area", "base", "col", "embed", "source"]);
const ATTRIBUTE_NAME = /^[a-z][a-z0-9_.:-]*$/i;

export interface GitterRenderState {
  ctx: GitterToMatrixContext;
  /** Lower-cased screen names the server confirmed as mentions, or null to trust every mention span. */
  confirmed: Set<string> | null;
  /** Pilled users, in order of appearance, duplicates included. */
  userIds: string[];
}

export function renderGitterNodes(nodes: HtmlNode[], state: GitterRenderState): string {
  return nodes.map((node) => renderNode(node, state)).join("");
}

function renderNode(node: HtmlNode, state: GitterRenderState): string {
  if (isText(node)) return escapeText(node.data);
  if (!isElement(node)) return "";
  switch (node.name) {
    case "span":
      return renderSpan(node, state);
    case "a":
      return renderLink(node, state);
    case "img":
      return renderImage(node, state);
    case "strike":
      return renderElement(node, state, "del");
    default:
      return renderElement(node, state, node.name);
  }
}

function renderElement(el: HtmlElement, state: GitterRenderState, name: string): string {
  const attrs = Object.entries(el.attribs)
    .filter(([key]) => ATTRIBUTE_NAME.test(key))
    .map(([key, value]) => ` ${key}="${escapeAttr(value)}"`)
    .join("");
  if (VOID_TAGS.has(name)) return `<${name}${attrs}>`;
  return `<${name}${attrs}>${renderGitterNodes(el.children, state)}</${name}>`;
}

function renderSpan(el: HtmlElement, state: GitterRenderState): string {
  if (el.attribs["data-link-type"] === "mention") return renderMention(el, state);
  const keepsMeaning = Object.keys(el.attribs).some((key) => key.startsWith("data-mx-"));
  // Gitter's spans (issues, commits, group mentions, highlighting) carry nothing Matrix can show: keep the text.
  return keepsMeaning ? renderElement(el, state, "span") : renderGitterNodes(el.children, state);
}

export function mentionScreenName(el: HtmlElement): string {
  return el.attribs["data-screen-name"] ?? textOf(el).trim().replace(/^@/, "");
}

function renderMention(el: HtmlElement, state: GitterRenderState): string {
  const screenName = mentionScreenName(el);
  const confirmed = state.confirmed === null || state.confirmed.has(screenName.toLowerCase());
  const target = confirmed && screenName !== "" ? state.ctx.mentionTarget(screenName) : null;
  if (target === null) return escapeText(textOf(el));
  state.userIds.push(target.mxid);
  return `<a href="${escapeAttr(pillUrl(target.mxid))}">${escapeText(target.displayName)}</a>`;
}

function renderLink(el: HtmlElement, state: GitterRenderState): string {
  const inner = renderGitterNodes(el.children, state);
  const href = safeLinkUrl(el.attribs.href);
  return href === null ? inner : `<a href="${escapeAttr(href)}">${inner}</a>`;
}

function renderImage(el: HtmlElement, state: GitterRenderState): string {
  const src = (el.attribs.src ?? "").trim();
  const alt = el.attribs.alt ?? "";
  const copy = /^https?:\/\//i.test(src) ? state.ctx.imageMxc?.(src) : null;
  // Only a well-formed mxc is passed on: Matrix clients build a homeserver path from it.
  if (parseMxc(src) || copy) {
    const attribs: Record<string, string> = { ...el.attribs, src: copy ?? src };
    const keep = ["src", "alt", "title", "width", "height"].filter((key) => attribs[key] !== undefined);
    return `<img${keep.map((key) => ` ${key}="${escapeAttr(attribs[key] ?? "")}"`).join("")}>`;
  }
  // Matrix clients only load mxc:// images; anything else is offered as a link instead.
  const href = safeLinkUrl(src);
  if (href === null) return escapeText(alt);
  return `<a href="${escapeAttr(href)}">${escapeText(alt.trim() === "" ? href : alt)}</a>`;
}
