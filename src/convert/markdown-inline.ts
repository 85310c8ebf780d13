// Inline half of the Matrix HTML -> Gitter Markdown renderer: text, emphasis, code spans, links, pills, images.
import { isElement, isText, pillMxid, safeLinkUrl, textOf, type HtmlElement, type HtmlNode } from "./html";
import { escapeInline, escapeLineStart, escapeUrl, fenceFor } from "./markdown-escape";
import type { MatrixToGitterContext } from "./types";

/** Markdown being written for one run of inline content; knows whether the next character starts a line. */
export class MdOut {
  text = "";

  /** `startsLine`: whether the first character written lands at the start of a line. */
  constructor(private readonly startsLine: boolean) {}

  atLineStart(): boolean {
    return this.text === "" ? this.startsLine : this.text.endsWith("\n");
  }

  raw(markdown: string): void {
    this.text += markdown;
  }

  /** Literal text, with HTML's whitespace collapsing and Markdown escaping. */
  plain(text: string): void {
    let collapsed = text.replace(/[ \t\n\r\f]+/g, " ");
    if (this.atLineStart() || this.text.endsWith(" ")) collapsed = collapsed.replace(/^ /, "");
    if (collapsed === "") return;
    const escaped = escapeInline(collapsed);
    this.text += this.atLineStart() ? escapeLineStart(escaped) : escaped;
  }

  lineBreak(): void {
    this.text = `${this.text.replace(/ +$/, "")}\n`;
  }

  /** Whitespace that separated two pieces of markup: a line break if it held one, else a space. */
  gap(whitespace: string): void {
    if (whitespace.includes("\n")) this.lineBreak();
    else if (whitespace !== "") this.plain(" ");
  }
}

export function renderInline(nodes: HtmlNode[], ctx: MatrixToGitterContext, out: MdOut): void {
  for (const node of nodes) {
    if (isText(node)) out.plain(node.data);
    else if (isElement(node)) renderInlineElement(node, ctx, out);
  }
}

/** Inline content rendered on its own, as it would read in the middle of a line. */
export function inlineMarkdown(nodes: HtmlNode[], ctx: MatrixToGitterContext): string {
  const out = new MdOut(false);
  renderInline(nodes, ctx, out);
  return out.text;
}

function renderInlineElement(el: HtmlElement, ctx: MatrixToGitterContext, out: MdOut): void {
  switch (el.name) {
    case "br":
      return out.lineBreak();
    case "strong":
    case "b":
      return wrap(el, "**", ctx, out);
    case "em":
    case "i":
      return wrap(el, "*", ctx, out);
    case "del":
    case "s":
    case "strike":
      return wrap(el, "~~", ctx, out);
    case "code":
      return codeSpan(textOf(el), out);
    case "a":
      return link(el, ctx, out);
    case "img":
      return image(el, ctx, out);
    case "mx-reply":
    case "script":
    case "style":
      return;
    default:
      return renderInline(el.children, ctx, out);
  }
}

function wrap(el: HtmlElement, marker: string, ctx: MatrixToGitterContext, out: MdOut): void {
  // Delimiters must touch the text they wrap, so surrounding whitespace moves outside them.
  const [, lead = "", core = "", trail = ""] = /^(\s*)([\s\S]*?)(\s*)$/.exec(inlineMarkdown(el.children, ctx)) ?? [];
  out.gap(lead);
  if (core !== "") out.raw(`${marker}${core}${marker}`);
  out.gap(trail);
}

function codeSpan(code: string, out: MdOut): void {
  const content = code.replace(/\n/g, " ");
  if (content === "") return;
  const fence = fenceFor(content, 1);
  const pad = content.startsWith("`") || content.endsWith("`") ? " " : "";
  out.raw(`${fence}${pad}${content}${pad}${fence}`);
}

function link(el: HtmlElement, ctx: MatrixToGitterContext, out: MdOut): void {
  const mxid = pillMxid(el.attribs.href);
  if (mxid !== null) return mention(mxid, el, ctx, out);
  const url = safeLinkUrl(el.attribs.href);
  if (url === null) return renderInline(el.children, ctx, out);
  const label = textOf(el).trim();
  if (label === "" || label === url) return out.raw(url);
  if (`mailto:${label}` === url) return out.raw(label);
  const text = inlineMarkdown(el.children, ctx).replace(/\s+/g, " ").trim();
  out.raw(`[${text}](${escapeUrl(url)})`);
}

function mention(mxid: string, el: HtmlElement, ctx: MatrixToGitterContext, out: MdOut): void {
  const username = ctx.usernameForMxid(mxid);
  if (username !== null) return out.raw(`@${username}`);
  // A Matrix user with no Gitter account cannot be mentioned there; name them instead.
  out.plain(ctx.displayNameForMxid?.(mxid) ?? (textOf(el).trim() || mxid));
}

function image(el: HtmlElement, ctx: MatrixToGitterContext, out: MdOut): void {
  const src = (el.attribs.src ?? "").trim();
  const alt = (el.attribs.alt ?? el.attribs.title ?? "").trim();
  const url = /^mxc:\/\//i.test(src) ? (ctx.mediaUrl?.(src) ?? null) : safeLinkUrl(src);
  if (url === null) return out.plain(alt);
  out.raw(`![${escapeInline(alt)}](${escapeUrl(url)})`);
}
