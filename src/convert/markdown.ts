// Block half of the Matrix HTML -> Gitter Markdown renderer: paragraphs, headings, quotes, lists, code blocks,
// tables. Blocks are separated by a blank line; inline runs between blocks become paragraphs.
import { findElements, isElement, parseFragment, textOf, type HtmlElement, type HtmlNode } from "./html";
import { fenceFor } from "./markdown-escape";
import { MdOut, renderInline } from "./markdown-inline";
import type { MatrixToGitterContext } from "./types";

const BLOCK_TAGS = new Set([
  "p", "div", "blockquote", "pre", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table",
  "details", "summary", "mx-reply",
]);

/** Converts a Matrix `formatted_body` to Gitter Markdown. Pure; never throws. Drops any reply fallback. */
export function htmlToMarkdown(html: string, ctx: MatrixToGitterContext): string {
  return blocks(parseFragment(html), ctx).join("\n\n");
}

function blocks(nodes: HtmlNode[], ctx: MatrixToGitterContext): string[] {
  const result: string[] = [];
  let run: HtmlNode[] = [];
  const add = (markdown: string): void => {
    if (markdown !== "") result.push(markdown);
  };
  for (const node of nodes) {
    if (isElement(node) && BLOCK_TAGS.has(node.name)) {
      add(paragraph(run, ctx));
      run = [];
      add(block(node, ctx));
    } else {
      run.push(node);
    }
  }
  add(paragraph(run, ctx));
  return result;
}

function paragraph(nodes: HtmlNode[], ctx: MatrixToGitterContext): string {
  const out = new MdOut(true);
  renderInline(nodes, ctx, out);
  return out.text.trim();
}

function block(el: HtmlElement, ctx: MatrixToGitterContext): string {
  switch (el.name) {
    case "p":
    case "summary":
      return paragraph(el.children, ctx);
    case "blockquote":
      return quote(blocks(el.children, ctx).join("\n\n"));
    case "pre":
      return codeBlock(el);
    case "ul":
    case "ol":
      return list(el, ctx);
    case "hr":
      return "---";
    case "table":
      return table(el, ctx);
    case "mx-reply":
      return "";
    default:
      return /^h[1-6]$/.test(el.name) ? heading(el, ctx) : blocks(el.children, ctx).join("\n\n");
  }
}

function heading(el: HtmlElement, ctx: MatrixToGitterContext): string {
  const text = paragraph(el.children, ctx).replace(/\s*\n\s*/g, " ");
  return text === "" ? "" : `${"#".repeat(Number(el.name.slice(1)))} ${text}`;
}

function quote(markdown: string): string {
  if (markdown === "") return "";
  return markdown.split("\n").map((line) => (line === "" ? ">" : `> ${line}`)).join("\n");
}

function codeBlock(el: HtmlElement): string {
  const code = el.children.find((child): child is HtmlElement => isElement(child) && child.name === "code");
  const language = /(?:^|\s)language-([A-Za-z0-9_+#.-]+)/.exec(code?.attribs.class ?? "")?.[1] ?? "";
  const content = textOf(el).replace(/\n$/, "");
  if (content.trim() === "") return "";
  const fence = fenceFor(content, 3);
  return `${fence}${language}\n${content}\n${fence}`;
}

function listStart(el: HtmlElement): number {
  const start = Number.parseInt(el.attribs.start ?? "", 10);
  return Number.isInteger(start) && start >= 0 && start < 1e9 ? start : 1;
}

function list(el: HtmlElement, ctx: MatrixToGitterContext): string {
  const ordered = el.name === "ol";
  let number = listStart(el);
  return el.children
    .filter(isElement)
    .map((item) => {
      const marker = ordered ? `${number++}. ` : "- ";
      const content = item.name === "li" ? item.children : [item];
      return listItem(marker, blocks(content, ctx).join("\n"));
    })
    .join("\n");
}

function listItem(marker: string, body: string): string {
  // Continuation lines are indented to the item's content column so they stay inside the item.
  const pad = " ".repeat(marker.length);
  const [first = "", ...rest] = body.split("\n");
  return [`${marker}${first}`.trimEnd(), ...rest.map((line) => (line === "" ? "" : `${pad}${line}`))].join("\n");
}

function table(el: HtmlElement, ctx: MatrixToGitterContext): string {
  const rows = findElements(el.children, "tr").map((row) =>
    row.children
      .filter((cell): cell is HtmlElement => isElement(cell) && (cell.name === "th" || cell.name === "td"))
      .map((cell) => paragraph(cell.children, ctx).replace(/\s*\n\s*/g, " ").replace(/\|/g, "\\|")),
  );
  const width = Math.max(0, ...rows.map((cells) => cells.length));
  if (width === 0) return "";
  const line = (cells: string[]): string =>
    `| ${Array.from({ length: width }, (_, i) => cells[i] ?? "").join(" | ")} |`;
  const [header = [], ...body] = rows;
  return [line(header), line(Array<string>(width).fill("---")), ...body.map(line)].join("\n");
}
