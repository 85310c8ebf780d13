// Block half of the Mattermost Markdown -> Matrix HTML renderer: fenced code, headings, rules, quotes, lists, tables
// and paragraphs, line by line. Single newlines inside a paragraph are line breaks, as Mattermost shows them.
// Setext headings and indented code blocks are not recognised (their lines read as paragraph text).
import { escapeAttr, escapeText } from "../../convert/html";
import { InlineRenderer, type RenderState } from "./md-inline";

/** Quotes and lists nested deeper than this are shown as paragraph text. */
const MAX_BLOCK_DEPTH = 8;

const FENCE = /^ {0,3}(`{3,}|~{3,})[ \t]*([^`\s]*)[^`]*$/;
const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const RULE = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const QUOTE = /^ {0,3}> ?/;
const LIST_ITEM = /^( {0,3})([-*+]|\d{1,9}[.)])([ \t]+|$)/;
const TABLE_DIVIDER = /^ {0,3}\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$/;

/** Renders Mattermost Markdown as HTML (not yet sanitized). Pure; never throws. */
export function renderMarkdown(markdown: string, state: RenderState): string {
  return blocks(markdown.replace(/\r\n?/g, "\n").split("\n"), state, 0);
}

function blocks(lines: string[], state: RenderState, depth: number): string {
  let html = "";
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === "") {
      i++;
      continue;
    }
    const [out, next] = block(lines, i, state, depth);
    html += out;
    i = next;
  }
  return html;
}

function block(lines: string[], i: number, state: RenderState, depth: number): [string, number] {
  const line = lines[i]!;
  if (FENCE.test(line)) return fenced(lines, i);
  const heading = HEADING.exec(line);
  if (heading !== null) {
    const level = heading[1]!.length;
    return [`<h${level}>${InlineRenderer.render(heading[2] ?? "", state)}</h${level}>`, i + 1];
  }
  if (RULE.test(line)) return ["<hr />", i + 1];
  if (depth < MAX_BLOCK_DEPTH && QUOTE.test(line)) return quote(lines, i, state, depth);
  if (depth < MAX_BLOCK_DEPTH && LIST_ITEM.test(line)) return list(lines, i, state, depth);
  if (line.includes("|") && TABLE_DIVIDER.test(lines[i + 1] ?? "")) return table(lines, i, state);
  return paragraph(lines, i, state, depth);
}

/** Whether `line` ends a paragraph by starting a block of its own. */
function interrupts(line: string, depth: number): boolean {
  if (line.trim() === "" || FENCE.test(line) || HEADING.test(line) || RULE.test(line)) return true;
  if (depth >= MAX_BLOCK_DEPTH) return false;
  // As in CommonMark, only a list that starts at 1 interrupts a paragraph: "2019. was a year" is text.
  const marker = LIST_ITEM.exec(line)?.[2];
  return QUOTE.test(line) || (marker !== undefined && (!/\d/.test(marker) || /^0*1\D/.test(marker)));
}

function paragraph(lines: string[], i: number, state: RenderState, depth: number): [string, number] {
  let end = i + 1;
  while (end < lines.length && !interrupts(lines[end]!, depth)) end++;
  const text = lines.slice(i, end).map((l) => l.trim()).join("\n");
  return [`<p>${InlineRenderer.render(text, state)}</p>`, end];
}

function fenced(lines: string[], i: number): [string, number] {
  const [, fence = "```", info = ""] = FENCE.exec(lines[i]!) ?? [];
  const closing = new RegExp(`^ {0,3}${fence[0] === "`" ? "`" : "~"}{${fence.length},}[ \\t]*$`);
  let end = i + 1;
  while (end < lines.length && !closing.test(lines[end]!)) end++;
  const code = lines.slice(i + 1, end).join("\n");
  const language = /^[A-Za-z0-9_+#.-]+$/.test(info) ? ` class="language-${escapeAttr(info)}"` : "";
  return [`<pre><code${language}>${escapeText(code)}\n</code></pre>`, Math.min(end + 1, lines.length)];
}

function quote(lines: string[], i: number, state: RenderState, depth: number): [string, number] {
  const inner: string[] = [];
  let end = i;
  for (; end < lines.length; end++) {
    const line = lines[end]!;
    if (QUOTE.test(line)) inner.push(line.replace(QUOTE, ""));
    // A lazy continuation line carries on the quoted paragraph.
    else if (inner.length > 0 && inner[inner.length - 1]!.trim() !== "" && !interrupts(line, depth)) inner.push(line);
    else break;
  }
  return [`<blockquote>${blocks(inner, state, depth + 1)}</blockquote>`, end];
}

interface Item {
  lines: string[];
}

function list(lines: string[], i: number, state: RenderState, depth: number): [string, number] {
  const first = LIST_ITEM.exec(lines[i]!)!;
  const ordered = /\d/.test(first[2]!);
  const items: Item[] = [];
  let end = i;
  let loose = false;
  while (end < lines.length) {
    const marker = LIST_ITEM.exec(lines[end]!);
    if (marker === null || /\d/.test(marker[2]!) !== ordered) break;
    const width = marker[0].length;
    const item: Item = { lines: [lines[end]!.slice(width)] };
    end++;
    while (end < lines.length) {
      const line = lines[end]!;
      const indented = line.length - line.trimStart().length >= Math.min(width, 4);
      if (line.trim() === "") {
        const next = lines[end + 1] ?? "";
        const continues = next.trim() !== "" && next.length - next.trimStart().length >= Math.min(width, 4);
        if (!continues) break;
        loose = true;
      } else if (!indented && (LIST_ITEM.test(line) || interrupts(line, depth))) break;
      item.lines.push(indented ? line.slice(Math.min(width, 4)) : line);
      end++;
    }
    items.push(item);
    // A blank line between two items makes the list loose.
    if (end < lines.length && lines[end]!.trim() === "" && LIST_ITEM.test(lines[end + 1] ?? "")) {
      const next = LIST_ITEM.exec(lines[end + 1]!)!;
      if (/\d/.test(next[2]!) !== ordered) break;
      loose = true;
      end++;
    }
  }
  const start = ordered ? Number.parseInt(first[2]!, 10) : 1;
  const open = ordered ? (start === 1 ? "<ol>" : `<ol start="${start}">`) : "<ul>";
  const body = items.map((item) => `<li>${listItem(item, state, depth, loose)}</li>`).join("");
  return [`${open}${body}${ordered ? "</ol>" : "</ul>"}`, end];
}

function listItem(item: Item, state: RenderState, depth: number, loose: boolean): string {
  const html = blocks(item.lines, state, depth + 1);
  // A tight list shows its paragraphs without the paragraph spacing.
  return loose ? html : html.replace(/^<p>([\s\S]*?)<\/p>/, "$1");
}

function cells(line: string): string[] {
  const trimmed = line.trim().replace(/^\|/, "").replace(/(?<!\\)\|$/, "");
  return trimmed.split(/(?<!\\)\|/).map((cell) => cell.trim().replace(/\\\|/g, "|"));
}

function table(lines: string[], i: number, state: RenderState): [string, number] {
  const header = cells(lines[i]!);
  let end = i + 2;
  const rows: string[][] = [];
  while (end < lines.length && lines[end]!.includes("|") && lines[end]!.trim() !== "") rows.push(cells(lines[end++]!));
  const row = (values: string[], tag: string): string =>
    `<tr>${header.map((_, c) => `<${tag}>${InlineRenderer.render(values[c] ?? "", state)}</${tag}>`).join("")}</tr>`;
  const body = rows.length > 0 ? `<tbody>${rows.map((r) => row(r, "td")).join("")}</tbody>` : "";
  return [`<table><thead>${row(header, "th")}</thead>${body}</table>`, end];
}
