// Matrix `m.room.message` content -> Gitter message text. Pure: no I/O, never throws on odd input.
import { htmlToMarkdown } from "../../convert/markdown";
import { stripReplyFallback } from "../../convert/replies";
import { HTML_FORMAT, type MatrixMessageIn, type MatrixToGitterContext } from "../../convert/types";
import { GITTER_MAX_TEXT, type GitterMessageOut } from "./types";

/**
 * Converts a Matrix message to what the user's Gitter account should post. HTML (`org.matrix.custom.html`) is
 * rewritten as Gitter Markdown with pills as `@username`; a plain body is passed through as written. Reply
 * fallbacks are dropped, and so is U+0000. `m.emote` becomes a status message. Text over Gitter's limit is flagged, never cut; an
 * empty `text` means there is nothing to post. Other msgtypes (media) are the caller's business: their body is
 * returned as text.
 */
export function matrixToGitter(content: MatrixMessageIn, ctx: MatrixToGitterContext): GitterMessageOut {
  const isReply = content["m.relates_to"]?.["m.in_reply_to"] !== undefined;
  const fromHtml = hasHtml(content) ? htmlToMarkdown(content.formatted_body, ctx) : "";
  const body = typeof content.body === "string" ? content.body : "";
  // U+0000 shows nothing on Gitter, and the bridge's database drops it from the copy it keeps to recognise the
  // message when it comes back: the posted text must be that same text.
  let text = (fromHtml !== "" ? fromHtml : isReply ? stripReplyFallback(body) : body).replaceAll("\u0000", "");
  const status = content.msgtype === "m.emote";
  // Gitter's own client sends `/me waves` as "@username waves"; matching it keeps Gitter readers' view the same.
  if (status && ctx.ownUsername !== undefined && text !== "") text = `@${ctx.ownUsername} ${text}`;
  return { text, status, tooLong: text.length > GITTER_MAX_TEXT };
}

function hasHtml(content: MatrixMessageIn): content is MatrixMessageIn & { formatted_body: string } {
  return content.format === HTML_FORMAT && typeof content.formatted_body === "string";
}
