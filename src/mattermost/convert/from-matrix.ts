// Matrix `m.room.message` content -> Mattermost post message. Pure: no I/O, never throws on odd input.
// The HTML -> Markdown walk is the shared one in src/convert/markdown.ts: Mattermost reads GitHub-flavoured
// Markdown as Gitter did, and pills come out as `@username` through the context. What differs is done here:
// channel-wide mentions, escaping of a plain body, and /me.
import { DomUtils } from "htmlparser2";
import { isElement, isText, parseFragment, type HtmlNode } from "../../convert/html";
import { escapeInline, escapeLineStart } from "../../convert/markdown-escape";
import { htmlToMarkdown } from "../../convert/markdown";
import { stripReplyFallback } from "../../convert/replies";
import {
  HTML_FORMAT, MATTERMOST_MAX_RUNES, type MatrixMessageIn, type MattermostMessageOut, type MatrixToMattermostContext,
} from "./types";

// Matrix's @room notifies every member, as Mattermost's @channel does (@here reaches only those online, @all is a
// synonym of @channel): so a room mention is written @channel.
const ROOM_MENTION = /(^|[^\p{L}\p{N}_.@-])@room(?![\p{L}\p{N}_-]|\.[\p{L}\p{N}])/gu;
const CHANNEL_WIDE = /(^|[^\p{L}\p{N}_.@-])@(channel|all|here)(?![\p{L}\p{N}_-]|\.[\p{L}\p{N}])/giu;
// Mattermost finds mentions in words split at anything but letters, numbers and `: . - _ @`
// (server/channels/app/mention_parser_standard.go ProcessText): an invisible WORD JOINER after the `@` keeps
// `@channel` readable without notifying the whole channel.
const WORD_JOINER = "\u2060";

/**
 * Converts a Matrix message to what the user's Mattermost account should post. HTML is rewritten as Markdown with
 * pills as `@username`; a plain body is escaped so it shows as written. `@room` becomes `@channel` when the event
 * mentions the room (`m.mentions.room`, or for a client without `m.mentions` the legacy `@room` in the body);
 * otherwise channel-wide keywords are defused. `m.emote` is posted as Mattermost's /me posts it. Text over the
 * server's limit is flagged, never cut; an empty `message` means there is nothing to post.
 */
export function matrixToMattermost(content: MatrixMessageIn, ctx: MatrixToMattermostContext): MattermostMessageOut {
  const body = typeof content.body === "string" ? content.body : "";
  const roomMentioned = mentionsRoom(content, body);
  const fixMentions = (text: string): string => channelMentions(text, roomMentioned);
  let message = hasHtml(content)
    ? htmlToMarkdown(rewriteHtmlText(content.formatted_body, fixMentions), gitterShapedContext(ctx))
    : "";
  if (message === "") message = escapePlain(fixMentions(isReply(content) ? stripReplyFallback(body) : body));
  message = message.replaceAll("\u0000", "").trim();
  const emote = content.msgtype === "m.emote" && message !== "";
  // server/channels/app/slashcommands/command_me.go: /me posts `*text*` with type "me".
  if (emote) message = `*${message}*`;
  return { message, type: emote ? "me" : "", tooLong: [...message].length > MATTERMOST_MAX_RUNES };
}

function hasHtml(content: MatrixMessageIn): content is MatrixMessageIn & { formatted_body: string } {
  return content.format === HTML_FORMAT && typeof content.formatted_body === "string";
}

function isReply(content: MatrixMessageIn): boolean {
  return content["m.relates_to"]?.["m.in_reply_to"] !== undefined;
}

function mentionsRoom(content: MatrixMessageIn, body: string): boolean {
  const mentions = content["m.mentions"];
  if (mentions !== undefined && mentions !== null && typeof mentions === "object") return mentions.room === true;
  return new RegExp(ROOM_MENTION.source, "u").test(body);
}

function channelMentions(text: string, roomMentioned: boolean): string {
  const defused = text.replace(CHANNEL_WIDE, (_, lead: string, word: string) =>
    roomMentioned ? `${lead}@${word}` : `${lead}@${WORD_JOINER}${word}`,
  );
  return defused.replace(ROOM_MENTION, (_, lead: string) => (roomMentioned ? `${lead}@channel` : `${lead}@${WORD_JOINER}room`));
}

/** Applies `fix` to the HTML's text outside code, and serializes it again. */
function rewriteHtmlText(html: string, fix: (text: string) => string): string {
  const nodes = parseFragment(html);
  const walk = (list: HtmlNode[]): void => {
    for (const node of list) {
      if (isText(node)) node.data = fix(node.data);
      else if (isElement(node) && node.name !== "code" && node.name !== "pre") walk(node.children);
    }
  };
  walk(nodes);
  return DomUtils.getOuterHTML(nodes);
}

function gitterShapedContext(ctx: MatrixToMattermostContext): Parameters<typeof htmlToMarkdown>[1] {
  return {
    usernameForMxid: (mxid) => ctx.usernameForMxid(mxid),
    displayNameForMxid: (mxid) => ctx.displayNameForMxid?.(mxid) ?? null,
    ...(ctx.mediaUrl ? { mediaUrl: (mxc: string) => ctx.mediaUrl?.(mxc) ?? null } : {}),
  };
}

const URL_TOKEN = /(\s+)/;
const LOOKS_LIKE_URL = /^<?(?:https?:\/\/|mailto:|www\.)\S+$/i;

/**
 * Escapes a plain body line by line so Mattermost shows it as written: Markdown characters are escaped (not
 * inside URLs, which Mattermost links as they stand), and leading spaces, which would make an indented code
 * block, become no-break spaces.
 */
export function escapePlain(text: string): string {
  return text
    .split("\n")
    .map((line) => {
      const [, lead = "", rest = ""] = /^( *)(.*)$/s.exec(line) ?? [];
      const escaped = rest
        .split(URL_TOKEN)
        .map((token) => (LOOKS_LIKE_URL.test(token) || /^\s+$/.test(token) ? token : escapeInline(token)))
        .join("");
      return "\u00a0".repeat(lead.length) + escapeLineStart(escaped);
    })
    .join("\n");
}
