// Message attachments: the cards integrations and bots post under a message, in Slack's format
// (mattermost/mattermost server/public/model/slack_attachment.go SlackAttachment; an incoming webhook with
// attachments makes a `slack_attachment` post carrying them in props.attachments: server/channels/app/webhook.go
// HandleIncomingWebhook). Mattermost shows each as a card; here each becomes Markdown the converter renders as any
// post: the pretext above, then a block quote with the author, the title (linked), the text, the fields, an image
// link and the footer; an attachment with none of them shows its fallback. Pure; never throws on odd input.
import { escapePlain } from "./from-matrix";

/**
 * At most this many attachments, fields per attachment and characters per string are shown, and this many
 * characters in all: with the post's text (16,383 at most) the Matrix event stays well under its 64 KiB.
 */
const MAX_ATTACHMENTS = 10;
const MAX_FIELDS = 20;
const MAX_CHARS = 4000;
const MAX_TOTAL = 12_000;

/** The attachments in a post's props as Markdown, or "" when it has none worth showing. */
export function attachmentsMarkdown(props: unknown): string {
  const list = isRecord(props) && Array.isArray(props.attachments) ? props.attachments : [];
  const md = list.slice(0, MAX_ATTACHMENTS).filter(isRecord).map(attachmentMarkdown).filter((part) => part !== "").join("\n\n");
  if (md.length <= MAX_TOTAL) return md;
  const cut = md.slice(0, MAX_TOTAL);
  return `${cut.slice(0, Math.max(cut.lastIndexOf("\n"), 0)) || cut}\n\n…`;
}

function attachmentMarkdown(a: Record<string, unknown>): string {
  const card = [author(a), title(a), str(a.text), ...fields(a.fields), image(a), plain(str(a.footer))].filter((part) => part !== "");
  const pretext = str(a.pretext);
  if (card.length === 0) return pretext || plain(str(a.fallback));
  const quoted = quote(card.join("\n\n"));
  return pretext ? `${pretext}\n\n${quoted}` : quoted;
}

function author(a: Record<string, unknown>): string {
  const name = plain(str(a.author_name));
  if (!name) return "";
  const link = url(a.author_link);
  return link ? `[${name}](${link})` : name;
}

function title(a: Record<string, unknown>): string {
  const text = plain(str(a.title));
  if (!text) return "";
  const link = url(a.title_link);
  return link ? `**[${text}](${link})**` : `**${text}**`;
}

/** Each field as its title in bold over its value (Markdown). */
function fields(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.slice(0, MAX_FIELDS).filter(isRecord).map((f) => {
    const [name, text] = [plain(str(f.title)), fieldValue(f.value)];
    return name && text ? `**${name}**\n${text}` : name ? `**${name}**` : text;
  }).filter((md) => md !== "");
}

/** A field's value: Markdown, or a number or boolean as the server's JSON carries it (`value` is `any`). */
function fieldValue(value: unknown): string {
  return typeof value === "number" || typeof value === "boolean" ? String(value) : str(value);
}

function image(a: Record<string, unknown>): string {
  const link = url(a.image_url);
  return link ? `[image](${link})` : "";
}

function quote(markdown: string): string {
  return markdown.split("\n").map((line) => (line === "" ? ">" : `> ${line}`)).join("\n");
}

function str(value: unknown): string {
  return typeof value === "string" ? value.replaceAll("\u0000", "").trim().slice(0, MAX_CHARS) : "";
}

/** Text shown as written (no Markdown), on one line. */
function plain(text: string): string {
  return text === "" ? "" : escapePlain(text.replace(/\s+/g, " "));
}

/** An http(s) URL, with what would end a Markdown link destination escaped; "" for anything else. */
function url(value: unknown): string {
  const text = str(value);
  if (!/^https?:\/\/[^\s]+$/i.test(text)) return "";
  return text.replace(/[()<>]/g, (c) => encodeURIComponent(c));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
