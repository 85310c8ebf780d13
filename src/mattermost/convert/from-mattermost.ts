// Mattermost post -> Matrix `m.room.message` content. Pure: no I/O, never throws on odd input.
import { isElement, isText, parseFragment, pillMxid, type HtmlElement, type HtmlNode } from "../../convert/html";
import { sanitizeForMatrix } from "../../convert/sanitize";
import { renderMarkdown } from "./md-blocks";
import type { RenderState } from "./md-inline";
import { HTML_FORMAT, type FromMattermost, type MattermostPostIn, type MattermostToMatrixContext } from "./types";

// Post types shown as messages (server/public/model/post.go). `system_*` posts are the server's own notices
// (joins, header changes, ...), which the bridge reflects as Matrix state instead; other types belong to plugins
// or integrations whose `message` is not what their readers see.
const MESSAGE_TYPES = new Set(["", "me", "slack_attachment"]);

/**
 * Converts a post. `formatted_body` is the Markdown rendered as Matrix HTML (pills for mentioned users the context
 * knows, `@room` for @channel/@all/@here, Unicode for system `:emoji:`) and sanitized to the spec's allowlist; it is
 * left out when it would say nothing the plain `body` does not. A `/me` post becomes `m.emote`.
 */
export function mattermostToMatrix(post: MattermostPostIn, ctx: MattermostToMatrixContext): FromMattermost {
  const type = typeof post.type === "string" ? post.type : "";
  if (typeof post.delete_at === "number" && post.delete_at > 0) return { kind: "ignore", reason: "deleted" };
  if (type.startsWith("system_")) return { kind: "ignore", reason: "system" };
  if (!MESSAGE_TYPES.has(type)) return { kind: "ignore", reason: "unsupported-type" };
  let markdown = (typeof post.message === "string" ? post.message : "").replaceAll("\u0000", "");
  if (type === "me") markdown = emoteText(markdown);
  if (markdown.trim() === "") return { kind: "ignore", reason: "empty" };
  const state: RenderState = { ctx, userIds: [], room: false };
  const html = sanitizeForMatrix(renderMarkdown(markdown, state));
  const body = plainText(parseFragment(html)).replace(/\n{3,}/g, "\n\n").trim();
  const mentions: { user_ids: string[]; room?: true } = { user_ids: [...new Set(state.userIds)] };
  if (state.room) mentions.room = true;
  const content = { msgtype: type === "me" ? "m.emote" : "m.text", body, "m.mentions": mentions } as const;
  if (onlyText(html)) return { kind: "message", content };
  return { kind: "message", content: { ...content, format: HTML_FORMAT, formatted_body: html } };
}

/**
 * The text of a /me post's message: the server's /me posts `*text*` (server/channels/app/slashcommands/command_me.go),
 * and an emote needs only the text. A message not written that way is taken as it is.
 */
export function emoteText(message: string): string {
  return message.length >= 2 && message.startsWith("*") && message.endsWith("*") ? message.slice(1, -1) : message;
}

/** True when the HTML is paragraphs, line breaks and text only: the body then says it all. */
function onlyText(html: string): boolean {
  return !/<(?!\/?p>|br \/>)/.test(html);
}

const BLOCK_BREAK = new Set(["p", "pre", "blockquote", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6", "hr"]);

/** The text a reader of the HTML sees, with list markers, quote marks and line breaks kept. */
function plainText(nodes: HtmlNode[]): string {
  let out = "";
  for (const node of nodes) {
    if (isText(node)) out += node.data;
    else if (isElement(node)) out += plainElement(node);
  }
  return out;
}

function listMarker(li: HtmlElement): string {
  const list = li.parent;
  if (list === null || !isElement(list as HtmlNode) || (list as HtmlElement).name !== "ol") return "-";
  const siblings = (list as HtmlElement).children.filter(isElement);
  const start = Number.parseInt((list as HtmlElement).attribs.start ?? "1", 10);
  return `${(Number.isFinite(start) ? start : 1) + siblings.indexOf(li)}.`;
}

function plainElement(el: HtmlElement): string {
  const inner = plainText(el.children);
  switch (el.name) {
    case "br":
      return "\n";
    case "hr":
      return "\n\n---\n\n";
    case "li":
      return `${listMarker(el)} ${inner.trim().replace(/\n+/g, "\n  ")}\n`;
    case "blockquote":
      return `\n\n${inner.trim().replace(/\n{3,}/g, "\n\n").split("\n").map((line) => `> ${line}`.trimEnd()).join("\n")}\n\n`;
    case "a": {
      // A pill reads as the name; another link keeps its address where its text hides it.
      const href = el.attribs.href ?? "";
      const hidden = href !== "" && !pillMxid(href) && href !== inner && href !== `http://${inner}`;
      return hidden ? `${inner} (${href})` : inner;
    }
    case "tr":
      return `${el.children.filter(isElement).map((cell) => plainText(cell.children).trim()).join(" | ")}\n`;
    default:
      return BLOCK_BREAK.has(el.name) ? `\n\n${inner.replace(/^\n+|\n+$/g, "")}\n\n` : inner;
  }
}
