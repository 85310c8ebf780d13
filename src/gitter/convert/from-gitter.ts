// Gitter chat message -> Matrix `m.room.message` content. Pure: no I/O, never throws on odd input.
import { mentionScreenName, renderGitterNodes, type GitterRenderState } from "./gitter-html";
import { isElement, isText, parseFragment, removeNode, textOf, type HtmlElement, type HtmlNode } from "../../convert/html";
import { sanitizeForMatrix } from "../../convert/sanitize";
import { HTML_FORMAT } from "../../convert/types";
import type { GitterMessageIn, GitterToMatrixContext, MatrixMessageContent } from "./types";

/**
 * Converts a Gitter message. `body` is Gitter's own text; `formatted_body` is Gitter's HTML rewritten for Matrix
 * (pills, links) and sanitized to the spec's allowlist, and is left out when it says nothing the body does not.
 * A status (`/me`) message becomes `m.emote` without the leading `@sender` Gitter's client puts in front.
 */
export function gitterToMatrix(msg: GitterMessageIn, ctx: GitterToMatrixContext): MatrixMessageContent {
  // Wire data: a message pushed without html (or text) must still convert, not throw.
  const nodes = parseFragment(typeof msg.html === "string" ? msg.html : "");
  let body = typeof msg.text === "string" ? msg.text : "";
  if (msg.status === true) {
    const prefix = typeof msg.fromUsername === "string" ? msg.fromUsername : leadingMentionName(nodes);
    if (prefix !== null) {
      body = stripTextPrefix(body, prefix);
      stripHtmlPrefix(nodes, prefix);
    }
  }
  const state: GitterRenderState = { ctx, confirmed: confirmedMentions(msg), userIds: [] };
  const html = sanitizeForMatrix(renderGitterNodes(nodes, state)).trim();
  const content: MatrixMessageContent = {
    msgtype: msg.status === true ? "m.emote" : "m.text",
    body,
    "m.mentions": { user_ids: [...new Set(state.userIds)] },
  };
  if (html !== "" && !saysNoMoreThan(html, body)) {
    content.format = HTML_FORMAT;
    content.formatted_body = html;
  }
  return content;
}

function confirmedMentions(msg: GitterMessageIn): Set<string> | null {
  if (msg.mentions === undefined) return null;
  // Only mentions Gitter resolved to a user count. Wire data: a list that is not one (or odd items in it)
  // confirms nobody, rather than throwing or trusting every span.
  const list: unknown[] = Array.isArray(msg.mentions) ? msg.mentions : [];
  const resolved = list.filter((m): m is { screenName: string; userId: string } => {
    const r = m as { screenName?: unknown; userId?: unknown } | null;
    return typeof r?.screenName === "string" && typeof r.userId === "string";
  });
  return new Set(resolved.map((m) => m.screenName.toLowerCase()));
}

/** Drops a leading `@username` (any case) and the spaces after it. No regex: a username is wire data of any size. */
function stripTextPrefix(text: string, username: string): string {
  const mention = `@${username}`;
  if (text.slice(0, mention.length).toLowerCase() !== mention.toLowerCase()) return text;
  const rest = text.slice(mention.length);
  return rest === "" || /^\s/.test(rest) ? rest.replace(/^\s+/, "") : text;
}

/** The first node a reader sees, looking through a leading paragraph. */
function firstNode(nodes: HtmlNode[]): HtmlNode | undefined {
  const first = nodes.find((node) => !(isText(node) && node.data.trim() === ""));
  if (first !== undefined && isElement(first) && first.name === "p") return firstNode(first.children);
  return first;
}

function leadingMention(nodes: HtmlNode[]): HtmlElement | null {
  const first = firstNode(nodes);
  if (first === undefined || !isElement(first)) return null;
  return first.name === "span" && first.attribs["data-link-type"] === "mention" ? first : null;
}

function leadingMentionName(nodes: HtmlNode[]): string | null {
  const mention = leadingMention(nodes);
  return mention === null ? null : mentionScreenName(mention);
}

function stripHtmlPrefix(nodes: HtmlNode[], username: string): void {
  const mention = leadingMention(nodes);
  if (mention === null || mentionScreenName(mention).toLowerCase() !== username.toLowerCase()) return;
  const next = mention.next;
  if (next !== null && isText(next)) next.data = next.data.replace(/^\s+/, "");
  removeNode(mention);
}

/**
 * True when the HTML is only text, line breaks, paragraphs and links that show their own address: Matrix clients
 * render the plain body the same way (they link bare URLs themselves), so formatted_body would be noise.
 */
function saysNoMoreThan(html: string, body: string): boolean {
  const plain = plainRendering(parseFragment(html));
  return plain !== null && normalise(plain) === normalise(body);
}

function plainRendering(nodes: HtmlNode[]): string | null {
  let out = "";
  for (const node of nodes) {
    if (isText(node)) {
      out += node.data;
      continue;
    }
    if (!isElement(node)) continue;
    const part = plainElement(node);
    if (part === null) return null;
    out += part;
  }
  return out;
}

function plainElement(el: HtmlElement): string | null {
  if (el.name === "br") return "\n";
  if (el.name === "p") {
    const inner = plainRendering(el.children);
    return inner === null ? null : `${inner}\n\n`;
  }
  if (el.name !== "a") return null;
  const text = textOf(el);
  const href = el.attribs.href ?? "";
  return href === text || href === `mailto:${text}` ? text : null;
}

function normalise(text: string): string {
  return text.replace(/[ \t]+\n/g, "\n").replace(/\n{3,}/g, "\n\n").trim();
}
