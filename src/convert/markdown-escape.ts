// Escaping of literal text for Gitter's Markdown (GitHub-flavoured, `breaks: true`). Only characters that would
// otherwise start markup are escaped, so ordinary prose (snake_case, a lone ~, 3 - 2) reads the same on Gitter.

const ASCII_PUNCTUATION = /[!-/:-@[-`{-~]/;
const WORD_CHAR = /[\p{L}\p{N}]/u;

function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && WORD_CHAR.test(ch);
}

function needsEscape(ch: string, prev: string | undefined, next: string | undefined): boolean {
  switch (ch) {
    case "`":
    case "*":
    case "[":
    case "]":
      return true;
    case "\\":
      // Escaped only where Markdown would read it as an escape (or where the next node could make it one).
      return next === undefined || ASCII_PUNCTUATION.test(next);
    case "_":
      // GFM ignores underscores inside words, so snake_case stays readable.
      return !(isWordChar(prev) && isWordChar(next));
    case "~":
      return prev === "~" || next === "~";
    default:
      return false;
  }
}

/** Escapes text that sits inside a line. */
export function escapeInline(text: string): string {
  const chars = [...text];
  return chars.map((ch, i) => (needsEscape(ch, chars[i - 1], chars[i + 1]) ? `\\${ch}` : ch)).join("");
}

const LINE_START_RULES: [RegExp, string][] = [
  [/^(#{1,6})(?=\s|$)/, "\\$1"], // ATX heading
  [/^>/, "\\>"], // block quote
  [/^([-+])(?=\s|$)/, "\\$1"], // bullet list item
  [/^(\d{1,9})([.)])(?=\s|$)/, "$1\\$2"], // ordered list item
  [/^([-=])(?=\1*\s*$)/, "\\$1"], // setext underline or thematic break
];

/** Escapes the start of already inline-escaped text that begins a line. */
export function escapeLineStart(text: string): string {
  for (const [pattern, replacement] of LINE_START_RULES) {
    if (pattern.test(text)) return text.replace(pattern, replacement);
  }
  return text;
}

/** Keeps a URL inside `(...)` intact. */
export function escapeUrl(url: string): string {
  const codes: Record<string, string> = { " ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E" };
  return url.replace(/[ ()<>]/g, (ch) => codes[ch] ?? ch);
}

/** A run of backticks longer than any inside `content`, at least `min` long. */
export function fenceFor(content: string, min: number): string {
  const longest = Math.max(0, ...(content.match(/`+/g) ?? []).map((run) => run.length));
  return "`".repeat(Math.max(min, longest + 1));
}
