// The one way the bridge tells a person something in a room: an m.notice from the bot (or a ghost) whose
// transaction id is derived from what the notice is about, never random. Handlers run again after an outage or a
// crash (the inbox delivers at least once), and a notice sent again then carries the same transaction id, so the
// homeserver answers it with the event it already has instead of posting it twice. Two different notices differ
// in their cause or purpose, so they are never merged.
import { createHash } from "node:crypto";
import type { MatrixClient } from "../matrix/client";
import { getLogger } from "../util/log";

const log = getLogger("notices");

/** What a notice is about. The same cause and purpose in the same room is the same notice. */
export interface NoticeAbout {
  /** What caused it: the Matrix event it answers, or a stored id of the occasion (see loginCause). */
  cause: string;
  /** Which of the notices that cause may bring, e.g. "reply", "refused". */
  purpose: string;
}

export interface NoticeOptions {
  html?: string;
  /** Who says it; the bot when absent. */
  from?: string;
}

/** Sends a notice; never throws (a failure is logged). */
export type SayNotice = (roomId: string, about: NoticeAbout, text: string, opts?: NoticeOptions) => Promise<void>;

/** The transaction id of a notice: the same for a retry of it, different for any other notice. */
export function noticeTxnId(about: NoticeAbout): string {
  return `notice-${about.purpose}-${about.cause}`;
}

/** A stable id for one login, from its stored (sealed) token: each new login seals anew, so each has its own. */
export function loginCause(tokenCiphertext: string): string {
  return `login-${createHash("sha256").update(tokenCiphertext).digest("hex").slice(0, 24)}`;
}

export function noticeSender(matrix: MatrixClient, botMxid: string): SayNotice {
  return async (roomId, about, text, opts = {}) => {
    const content: Record<string, unknown> = { msgtype: "m.notice", body: text };
    if (opts.html) Object.assign(content, { format: "org.matrix.custom.html", formatted_body: opts.html });
    await matrix
      .as(opts.from ?? botMxid)
      .sendEvent(roomId, "m.room.message", content, noticeTxnId(about))
      .catch((err: Error) => log.warn("could not send a notice", { room: roomId, purpose: about.purpose, cause: about.cause, error: err }));
  };
}
