// Edits in Matrix terms (`m.replace`, client-server API "Event replacements"). Pure; never throws on odd input.

/** Content as it goes into an `m.room.message`; the fields the edit builder reads are typed. */
export type MessageContent = Record<string, unknown> & {
  msgtype: string;
  body: string;
  format?: string;
  formatted_body?: string;
  "m.mentions"?: { user_ids?: string[] };
};

/**
 * The content of an edit that replaces `originalEventId` with `next`. The top level is the fallback older clients
 * show (`* ` before the text); `m.new_content` is what the message now says. Only people `next` mentions who were
 * not mentioned before are listed at the top level, so an edit never notifies anyone twice.
 */
export function replacementContent(
  next: MessageContent,
  originalEventId: string,
  mentionedBefore: readonly string[],
): Record<string, unknown> {
  const newContent: Record<string, unknown> = { ...next };
  delete newContent["m.relates_to"];
  const before = new Set(mentionedBefore);
  const fresh = (next["m.mentions"]?.user_ids ?? []).filter((id) => !before.has(id));
  const fallback: Record<string, unknown> = { ...newContent, body: `* ${next.body}` };
  if (typeof next.formatted_body === "string") fallback.formatted_body = `* ${next.formatted_body}`;
  return {
    ...fallback,
    "m.mentions": { user_ids: fresh },
    "m.new_content": newContent,
    "m.relates_to": { rel_type: "m.replace", event_id: originalEventId },
  };
}

export interface MatrixEdit {
  /** The event being replaced. */
  eventId: string;
  /** What the message says now: `m.new_content`. */
  content: Record<string, unknown> & { msgtype: string; body: string };
}

/** The edit a message content makes, or null when it is not a well-formed `m.replace`. */
export function editOf(content: Record<string, unknown>): MatrixEdit | null {
  const relation = content["m.relates_to"] as { rel_type?: unknown; event_id?: unknown } | undefined;
  if (relation?.rel_type !== "m.replace" || typeof relation.event_id !== "string") return null;
  const next = content["m.new_content"] as Record<string, unknown> | undefined;
  if (typeof next !== "object" || next === null) return null;
  if (typeof next.msgtype !== "string" || typeof next.body !== "string") return null;
  return { eventId: relation.event_id, content: next as MatrixEdit["content"] };
}

/** Users an event's content mentions (its `m.mentions`), for comparing an edit against. */
export function mentionedIn(content: Record<string, unknown> | null | undefined): string[] {
  const ids = (content?.["m.mentions"] as { user_ids?: unknown } | undefined)?.user_ids;
  return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === "string") : [];
}

/**
 * What an event shows now: the new content of its latest edit, when the homeserver bundles that edit whole
 * (`unsigned["m.relations"]["m.replace"]`, as Synapse does), else the event's own content.
 */
export function shownContent(event: Record<string, unknown> | null | undefined): Record<string, unknown> | undefined {
  const unsigned = event?.unsigned as { "m.relations"?: { "m.replace"?: { content?: Record<string, unknown> } } } | undefined;
  const latest = unsigned?.["m.relations"]?.["m.replace"]?.content?.["m.new_content"];
  if (typeof latest === "object" && latest !== null) return latest as Record<string, unknown>;
  const own = event?.content;
  return typeof own === "object" && own !== null ? (own as Record<string, unknown>) : undefined;
}

/** True when `next` would show just what `shown` does: the same kind, text, formatting and media. */
export function showsSame(shown: Record<string, unknown> | undefined, next: Record<string, unknown>): boolean {
  if (!shown) return false;
  return ["msgtype", "body", "format", "formatted_body", "url"].every((key) => shown[key] === next[key]);
}
