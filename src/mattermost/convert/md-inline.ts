// Inline half of the Mattermost Markdown -> Matrix HTML renderer: code spans, emphasis, strike, links, autolinks,
// @mentions, :emoji:, line breaks. Everything else is escaped text. It follows what Mattermost's webapp shows
// (its marked fork with gfm, sanitize: true, so raw HTML is text; webapp/channels/src/utils/markdown/index.ts), not
// every corner of CommonMark. Linear in the input apart from nesting, which is capped.
import { escapeAttr, escapeText, pillUrl, safeLinkUrl } from "../../convert/html";
import { emojiNameToUnicode } from "./emoji";
import type { MattermostToMatrixContext } from "./types";

export interface RenderState {
  ctx: MattermostToMatrixContext;
  userIds: string[];
  room: boolean;
}

/** Emphasis nested deeper than this is shown as written. */
const MAX_INLINE_DEPTH = 16;
const ASCII_PUNCTUATION = /^[!-/:-@[-`{-~]$/;
const WORD_CHAR = /^[\p{L}\p{N}_]$/u;
const SPACE = /^\s$/;
const CHANNEL_WIDE = new Set(["channel", "all", "here"]);
const DELIMITERS = ["**", "__", "~~", "*", "_"] as const;
const TAGS: Record<(typeof DELIMITERS)[number], string> = { "**": "strong", __: "strong", "~~": "del", "*": "em", _: "em" };

interface Piece {
  html: string;
  end: number;
}

export class InlineRenderer {
  /** Delimiters (and backtick runs) already known to have no closer after some point: never searched again. */
  private readonly exhausted = new Set<string>();

  constructor(
    private readonly src: string,
    private readonly state: RenderState,
    private readonly depth: number,
    private readonly links: boolean,
  ) {}

  static render(src: string, state: RenderState, depth = 0, links = true): string {
    return new InlineRenderer(src, state, depth, links).run();
  }

  private run(): string {
    let html = "";
    let i = 0;
    while (i < this.src.length) {
      const piece = this.pieceAt(i);
      if (piece !== null) {
        html += piece.html;
        i = piece.end;
      } else {
        html += escapeText(this.src[i]!);
        i++;
      }
    }
    return html;
  }

  private pieceAt(i: number): Piece | null {
    const ch = this.src[i]!;
    switch (ch) {
      case "\\":
        return this.escape(i);
      case "\n":
        return { html: "<br />", end: i + 1 };
      case "`":
        return this.codeSpan(i);
      case "*":
      case "_":
      case "~":
        return this.emphasis(i);
      case "[":
        return this.links ? this.link(i) : null;
      case "<":
        return this.links ? this.autolink(i) : null;
      case "@":
        return this.mention(i);
      case ":":
        return this.emoji(i);
      case "h":
      case "w":
        return this.links ? this.bareUrl(i) : null;
      default:
        return null;
    }
  }

  private prevChar(i: number): string {
    return i > 0 ? this.src[i - 1]! : " ";
  }

  private escape(i: number): Piece | null {
    const next = this.src[i + 1];
    if (next === "\n") return { html: "<br />", end: i + 2 };
    return next !== undefined && ASCII_PUNCTUATION.test(next) ? { html: escapeText(next), end: i + 2 } : null;
  }

  private codeSpan(i: number): Piece {
    let run = 1;
    while (this.src[i + run] === "`") run++;
    const fence = "`".repeat(run);
    const literal = { html: fence, end: i + run };
    if (this.exhausted.has(fence)) return literal;
    for (let at = this.src.indexOf(fence, i + run); at !== -1; at = this.src.indexOf(fence, at + run)) {
      let after = at + run;
      if (this.src[after] === "`") {
        while (this.src[after] === "`") after++;
        at = after - run;
        continue;
      }
      let code = this.src.slice(i + run, at).replace(/\n/g, " ");
      if (/^ [\s\S]* $/.test(code) && code.trim() !== "") code = code.slice(1, -1);
      return { html: `<code>${escapeText(code)}</code>`, end: after };
    }
    this.exhausted.add(fence);
    return literal;
  }

  private emphasis(i: number): Piece | null {
    const delim = DELIMITERS.find((d) => this.src.startsWith(d, i));
    if (delim === undefined || this.depth >= MAX_INLINE_DEPTH) return null;
    const start = i + delim.length;
    const intraword = delim.startsWith("_") && WORD_CHAR.test(this.prevChar(i));
    if (intraword || start >= this.src.length || SPACE.test(this.src[start]!)) return null;
    const close = this.closer(delim, start);
    if (close === null) return null;
    const inner = InlineRenderer.render(this.src.slice(start, close), this.state, this.depth + 1, this.links);
    return { html: `<${TAGS[delim]}>${inner}</${TAGS[delim]}>`, end: close + delim.length };
  }

  /** The matching closer: delimiter runs that open a span of the same kind in between are skipped over. */
  private closer(delim: string, from: number): number | null {
    if (this.exhausted.has(delim)) return null;
    const single = delim.length === 1;
    let open = 0;
    for (let at = this.src.indexOf(delim, from + 1); at !== -1; at = this.src.indexOf(delim, at + 1)) {
      const before = this.src[at - 1]!;
      const after = this.src[at + delim.length];
      if (before === "\\" || (single && (after === delim || before === delim))) continue;
      const canClose = !SPACE.test(before) && !(delim.startsWith("_") && after !== undefined && WORD_CHAR.test(after));
      const canOpen = after !== undefined && !SPACE.test(after);
      if (!canClose) {
        if (canOpen) open++;
        continue;
      }
      if (open === 0) return at;
      open--;
      if (!single) at += delim.length - 1;
    }
    this.exhausted.add(delim);
    return null;
  }

  private link(i: number): Piece | null {
    if (this.exhausted.has("]")) return null;
    let depth = 0;
    let close = -1;
    for (let at = i; at < this.src.length && close === -1; at++) {
      const ch = this.src[at];
      if (ch === "\\") at++;
      else if (ch === "[") depth++;
      else if (ch === "]" && --depth === 0) close = at;
    }
    if (close === -1) {
      if (this.src.indexOf("]", i) === -1) this.exhausted.add("]");
      return null;
    }
    const target = /^\(\s*<?([^\s<>()]*(?:\([^\s<>()]*\)[^\s<>()]*)*)>?(?:\s+"[^"\n]*")?\s*\)/.exec(this.src.slice(close + 1));
    if (target === null) return null;
    const text = InlineRenderer.render(this.src.slice(i + 1, close), this.state, this.depth + 1, false);
    const url = safeLinkUrl(target[1]);
    const html = url === null ? text : `<a href="${escapeAttr(url)}">${text}</a>`;
    return { html, end: close + 1 + target[0].length };
  }

  private autolink(i: number): Piece | null {
    const match = /^<((?:https?|mailto):[^\s<>]+)>/i.exec(this.src.slice(i, i + 2048));
    const url = safeLinkUrl(match?.[1]);
    if (match === null || url === null) return null;
    return { html: `<a href="${escapeAttr(url)}">${escapeText(match[1]!)}</a>`, end: i + match[0].length };
  }

  private bareUrl(i: number): Piece | null {
    if (WORD_CHAR.test(this.prevChar(i))) return null;
    const match = /^(?:https?:\/\/|www\.)[^\s<]*[^\s<?!.,:;*_~'")\]]/i.exec(this.src.slice(i, i + 4096));
    if (match === null) return null;
    const text = match[0];
    const url = safeLinkUrl(/^www\./i.test(text) ? `http://${text}` : text);
    if (url === null) return null;
    return { html: `<a href="${escapeAttr(url)}">${escapeText(text)}</a>`, end: i + text.length };
  }

  private mention(i: number): Piece | null {
    if (/^[\p{L}\p{N}_.@-]$/u.test(this.prevChar(i))) return null;
    const name = /^@([a-z0-9._-]+)/i.exec(this.src.slice(i, i + 80))?.[1];
    if (name === undefined) return null;
    // Like Mattermost, a name followed by sentence punctuation (`@alice.`) is tried without it.
    for (let candidate = name.toLowerCase(); candidate !== ""; candidate = candidate.slice(0, -1)) {
      const end = i + 1 + candidate.length;
      if (CHANNEL_WIDE.has(candidate)) {
        this.state.room = true;
        return { html: "@room", end };
      }
      const target = this.links ? this.state.ctx.mentionTarget(candidate) : null;
      if (target !== null) {
        this.state.userIds.push(target.mxid);
        return { html: `<a href="${escapeAttr(pillUrl(target.mxid))}">${escapeText(target.displayName)}</a>`, end };
      }
      if (!/[._-]$/.test(candidate)) break;
    }
    return { html: escapeText(`@${name}`), end: i + 1 + name.length };
  }

  private emoji(i: number): Piece | null {
    const name = /^:([a-zA-Z0-9_+-]{1,64}):/.exec(this.src.slice(i, i + 70))?.[1];
    if (name === undefined) return null;
    const unicode = emojiNameToUnicode(name);
    // A custom emoji stays `:name:`; the closing colon may open the next one (`:a::b:`).
    return unicode === null ? { html: escapeText(`:${name}`), end: i + 1 + name.length } : { html: unicode, end: i + name.length + 2 };
  }
}
