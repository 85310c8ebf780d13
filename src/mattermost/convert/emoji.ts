// Mattermost emoji names <-> Unicode, for reactions and `:shortcode:` text. Pure; built once from emoji-data.ts.
import { IMAGE_ONLY_SYSTEM_EMOJI, SYSTEM_EMOJI } from "./emoji-data";

const VARIATION_SELECTOR = /\uFE0F/g;

function fromHex(sequence: string): string {
  return String.fromCodePoint(...sequence.split("-").map((hex) => Number.parseInt(hex, 16)));
}

const NAME_TO_UNICODE = new Map<string, string>();
/** Keyed by the sequence without U+FE0F: Matrix clients send ❤ and ❤️ alike. First name wins (the picker's). */
const UNICODE_TO_NAME = new Map<string, string>();
for (const [sequence, names] of SYSTEM_EMOJI) {
  const unicode = fromHex(sequence);
  for (const name of names) NAME_TO_UNICODE.set(name, unicode);
  const key = unicode.replace(VARIATION_SELECTOR, "");
  if (!UNICODE_TO_NAME.has(key) && names[0] !== undefined) UNICODE_TO_NAME.set(key, names[0]);
}
const IMAGE_ONLY = new Set(IMAGE_ONLY_SYSTEM_EMOJI);

/** Longest name the server stores for an emoji (`model.EmojiNameMaxLength`, server/public/model/emoji.go). */
export const EMOJI_NAME_MAX_LENGTH = 64;
// mattermost/mattermost server/public/model/reaction.go IsValid: `^[a-zA-Z0-9\-\+_]+$`, at most 64 bytes.
const VALID_EMOJI_NAME = /^[a-zA-Z0-9+_-]{1,64}$/;

/** Whether the server accepts `name` as a reaction's `emoji_name` (system or custom; existence not checked). */
export function isValidEmojiName(name: string): boolean {
  return VALID_EMOJI_NAME.test(name);
}

/** The Unicode text of a system emoji name (`thumbsup` -> 👍, skin tones included), or null (custom or unknown). */
export function emojiNameToUnicode(name: string): string | null {
  return NAME_TO_UNICODE.get(name) ?? null;
}

/** Whether `name` is one of Mattermost's own emoji (Unicode or its image-only ones such as `mattermost`). */
export function isSystemEmojiName(name: string): boolean {
  return NAME_TO_UNICODE.has(name) || IMAGE_ONLY.has(name);
}

/** The name Mattermost's picker gives this Unicode emoji, with or without U+FE0F, or null. */
export function unicodeToEmojiName(text: string): string | null {
  return UNICODE_TO_NAME.get(text.replace(VARIATION_SELECTOR, "")) ?? null;
}

/** A Mattermost reaction as a Matrix annotation key. */
export interface MatrixReactionKey {
  key: string;
  /** False when the emoji has no Unicode form (custom, image-only or unknown) and the key is `:name:` text. */
  unicode: boolean;
}

export function reactionToMatrix(emojiName: string): MatrixReactionKey {
  const unicode = emojiNameToUnicode(emojiName);
  return unicode === null ? { key: `:${emojiName}:`, unicode: false } : { key: unicode, unicode: true };
}

/** A Matrix reaction key as a Mattermost `emoji_name`, or why it cannot be one. */
export type MattermostReaction =
  | { kind: "emoji"; name: string }
  | { kind: "not-representable"; reason: "no-emoji-name" | "empty" };

/**
 * Unicode emoji become the picker's name; `:name:` text (how custom emoji reach Matrix) goes back as that name, so
 * a Matrix user can add to a custom reaction. Anything else (text, an emoji Mattermost has no name for) cannot be
 * a Mattermost reaction, and the caller should say so rather than send something else.
 */
export function reactionToMattermost(key: string): MattermostReaction {
  const trimmed = key.trim();
  if (trimmed === "") return { kind: "not-representable", reason: "empty" };
  const named = unicodeToEmojiName(trimmed);
  if (named !== null) return { kind: "emoji", name: named };
  const shortcode = /^:([^:\s]+):$/.exec(trimmed)?.[1];
  if (shortcode !== undefined && isValidEmojiName(shortcode)) return { kind: "emoji", name: shortcode };
  return { kind: "not-representable", reason: "no-emoji-name" };
}
