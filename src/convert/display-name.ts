// The display name a ghost shows on Matrix, from the free text a Gitter user chose. Pure.
//
// Gitter accepts any text as a display name; Matrix clients show it next to every message. So the text is
// cleaned of what renders as nothing or reorders what follows (control characters, bidi overrides and isolates,
// zero-width characters), put into the configured template (`{displayName} (Gitter)` by default, so a Gitter
// user cannot pass for a Matrix user or the bot), and capped: Synapse refuses a display name longer than 256
// code points (`MAX_DISPLAYNAME_LEN`, checked with Python's len() in synapse/handlers/profile.py).

/** Synapse's limit, in code points. */
export const MAX_DISPLAY_NAME = 256;
export const DEFAULT_DISPLAY_NAME_TEMPLATE = "{displayName} (Gitter)";
/** Longest template text outside its placeholders, so that a name always keeps room of its own. */
export const MAX_TEMPLATE_TEXT = 64;
/** Most placeholders in a template, so that each keeps a readable share of the length limit. */
const MAX_PLACEHOLDERS = 4;

const PLACEHOLDERS = ["displayName", "username"] as const;
type Placeholder = (typeof PLACEHOLDERS)[number];
const PLACEHOLDER = /\{([^{}]*)\}/g;

/** Line breaks, tabs and other controls (Cc), line and paragraph separators: each stands for a space. */
const SPACING = /[\p{Cc}\u2028\u2029]/gu;
/**
 * Removed outright: bidi embeddings, overrides, isolates and marks; zero-width spaces, joiners (but see
 * EMOJI_ZWJ), word joiner and invisible operators; the BOM; the Mongolian vowel separator; Hangul fillers
 * (rendered blank, a known way to make an empty-looking name); lone surrogates (no valid UTF-8 exists for them).
 */
const INVISIBLE = /[\u061c\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufeff\uffa0\p{Cs}]/gu;
/** A zero-width joiner inside an emoji sequence (👩‍💻) is part of the emoji: kept, through a placeholder. */
const EMOJI_ZWJ = /(?<=[\p{Extended_Pictographic}\p{Emoji_Modifier}\ufe0f])\u200d(?=\p{Extended_Pictographic})/gu;
const KEPT_ZWJ = "\u{f0000}";

/** `raw` without invisible or reordering characters, runs of white space made one space, trimmed. */
export function cleanDisplayName(raw: string): string {
  return raw
    .replace(/\u{f0000}/gu, "")
    .replace(EMOJI_ZWJ, KEPT_ZWJ)
    .replace(INVISIBLE, "")
    .replace(SPACING, " ")
    .replace(/\s+/gu, " ")
    .trim()
    .replaceAll(KEPT_ZWJ, "\u200d");
}

/** `text` cut to at most `max` code points at a grapheme boundary, ending in `…` when cut. */
export function capText(text: string, max: number): string {
  if (codePoints(text) <= max) return text;
  let out = "";
  let used = 0;
  for (const { segment } of new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(text)) {
    const size = codePoints(segment);
    if (used + size > max - 1) break;
    out += segment;
    used += size;
  }
  return out.trimEnd() + "…";
}

function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** What is wrong with a template, in words, or null when it can be used. */
export function templateProblem(template: string): string | null {
  const used = [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);
  const unknown = used.filter((name) => !(PLACEHOLDERS as readonly string[]).includes(name));
  if (unknown.length > 0) {
    return `unknown placeholder {${unknown[0]}}; the known ones are ${PLACEHOLDERS.map((p) => `{${p}}`).join(" and ")}`;
  }
  if (used.length === 0) return "must contain {displayName} or {username}, or every ghost would have the same name";
  if (used.length > MAX_PLACEHOLDERS) return `may use at most ${MAX_PLACEHOLDERS} placeholders`;
  const rest = template.replace(PLACEHOLDER, "");
  if (/[{}]/.test(rest)) return "has an unmatched { or }";
  if (cleanDisplayName(rest) !== rest.replace(/\s+/gu, " ").trim()) return "must not contain control or invisible characters";
  if (codePoints(rest) > MAX_TEMPLATE_TEXT) return `its text outside the placeholders must be at most ${MAX_TEMPLATE_TEXT} characters`;
  return null;
}

/**
 * The ghost's display name: `template` (already checked by `templateProblem`) filled with the cleaned names, at
 * most MAX_DISPLAY_NAME code points. An empty display name after cleaning falls back to the username; each
 * placeholder is shortened, never the template's own text, so a suffix like " (Gitter)" always shows.
 */
export function renderDisplayName(template: string, user: { username: string; displayName?: string | null }): string {
  const username = cleanDisplayName(user.username);
  const values: Record<Placeholder, string> = {
    username,
    displayName: cleanDisplayName(user.displayName ?? "") || username,
  };
  const fill = (cap: number) => template.replace(PLACEHOLDER, (_, name: Placeholder) => capText(values[name], cap)).trim();
  const full = fill(Infinity);
  if (codePoints(full) <= MAX_DISPLAY_NAME) return full;
  const slots = [...template.matchAll(PLACEHOLDER)].length;
  const room = MAX_DISPLAY_NAME - codePoints(template.replace(PLACEHOLDER, ""));
  return fill(Math.floor(room / slots));
}
