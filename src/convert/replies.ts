// Replies and threads in both directions. Pure: the relation a Matrix thread message carries, the Markdown quote
// that stands in for a reply Gitter cannot express as a thread reply, and a reply's fallback dropped from its body.

/** Lines of the replied-to message kept in a quote, and characters kept per line. */
const QUOTE_LINES = 3;
const QUOTE_LINE_CHARS = 160;

/**
 * The `m.relates_to` of a message in a Matrix thread (client-server API "Threading"): the thread root, and, for
 * clients without thread support, a reply to the thread's latest message marked as a fallback.
 */
export function threadRelation(rootEventId: string, latestEventId: string): Record<string, unknown> {
  return {
    rel_type: "m.thread",
    event_id: rootEventId,
    is_falling_back: true,
    "m.in_reply_to": { event_id: latestEventId },
  };
}

export interface MatrixRelation {
  /** Set for a message in a thread: the thread's root event. */
  threadRoot?: string;
  /** The event replied to: for a thread message only when it is a real reply, not the thread fallback. */
  replyTo?: string;
}

/** What a Matrix message content relates to, reading `m.relates_to` the way the spec defines it. */
export function relationOf(content: Record<string, unknown>): MatrixRelation {
  const rel = content["m.relates_to"] as Record<string, unknown> | undefined;
  if (typeof rel !== "object" || rel === null) return {};
  const inReplyTo = (rel["m.in_reply_to"] as { event_id?: unknown } | undefined)?.event_id;
  const replyTo = typeof inReplyTo === "string" ? inReplyTo : undefined;
  if (rel.rel_type === "m.thread" && typeof rel.event_id === "string") {
    return rel.is_falling_back === true || replyTo === undefined ? { threadRoot: rel.event_id } : { threadRoot: rel.event_id, replyTo };
  }
  return replyTo === undefined ? {} : { replyTo };
}

/**
 * A Markdown quote of the message being replied to, put before the reply's own text on Gitter:
 * `> @bob: first line` and up to two more lines, long lines cut with an ellipsis.
 */
export function quoteForGitter(who: string, quotedBody: string): string {
  const lines = stripReplyFallback(quotedBody)
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
  const kept = lines.slice(0, QUOTE_LINES).map((line) => (line.length > QUOTE_LINE_CHARS ? `${line.slice(0, QUOTE_LINE_CHARS)}…` : line));
  if (lines.length > QUOTE_LINES) kept.push("…");
  const [first = "", ...rest] = kept;
  return [`> ${who}: ${first}`.trimEnd(), ...rest.map((line) => `> ${line}`)].join("\n");
}

/** The reply's text on Gitter: the quote, a blank line, then what the person wrote. */
export function withQuote(quote: string, text: string): string {
  return `${quote}\n\n${text}`;
}

/**
 * Drops the `> <@sender> quoted text` lines and the blank line Matrix clients put before a reply's own text.
 * Left alone unless that blank line is there, so a reply that merely starts with a quote survives.
 */
export function stripReplyFallback(body: string): string {
  const lines = body.split("\n");
  let quoted = 0;
  while (quoted < lines.length && (lines[quoted] ?? "").startsWith(">")) quoted++;
  if (quoted === 0 || lines[quoted] !== "") return body;
  return lines.slice(quoted + 1).join("\n");
}
