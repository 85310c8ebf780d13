// How the outbox gives a message up (outbox.ts): the intent dropped, the failure counted and logged, and the person
// told in the room, once: each notice's transaction id is made of the Matrix event and the notice's purpose
// (notices.ts), so a replay of the event repeats the same notice rather than adding one.
import { failureReason } from "../metrics";
import type { NetworkError } from "../network/errors";
import type { SendIntent } from "../store/store";
import { BridgeError } from "../util/errors";
import { getLogger } from "../util/log";
import type { SessionContext } from "./session-context";

const log = getLogger("outbox");

/** Gives up an intent the network refused; the person is told what it said. */
export async function refused(ctx: SessionContext, intent: SendIntent, err: NetworkError): Promise<void> {
  await ctx.store.pendingSends.dropIntent(intent.matrixEventId);
  ctx.metrics?.failed("matrix-to-gitter", failureReason(err));
  log.warn("the network refused a message", ids(intent, { kind: err.kind, status: err.answerStatus, error: err }));
  // The purpose's name is part of the notice's transaction id: it stays as it was.
  const about = { cause: intent.matrixEventId, purpose: "refused-by-gitter" };
  await ctx.notice(intent.matrixRoomId, about, `Your message was not sent to ${err.party}: ${err.personMessage}`);
}

/** Gives up an intent that met a failure neither an outage nor a refusal (see deliver in outbox.ts); the person is told. */
export async function undelivered(ctx: SessionContext, intent: SendIntent, err: unknown): Promise<void> {
  await ctx.store.pendingSends.dropIntent(intent.matrixEventId);
  ctx.metrics?.failed("matrix-to-gitter", failureReason(err));
  log.error("a message could not be sent to the network; given up", ids(intent, { error: err }));
  const text = `Your message may not have reached ${ctx.networkName}, and the bridge will not try again: ${reasonOf(err)} Please check, and send it again if it is missing.`;
  await ctx.notice(intent.matrixRoomId, { cause: intent.matrixEventId, purpose: "undelivered" }, text);
}

/**
 * Gives up a message whose file upload met a failure neither an outage nor a refusal (an answer the bridge cannot
 * read, a bug): no intent was recorded and nothing posted, so the person is told it was not sent.
 */
export async function notUploaded(ctx: SessionContext, intent: SendIntent, err: unknown): Promise<void> {
  ctx.metrics?.failed("matrix-to-gitter", failureReason(err));
  log.error("a message's file could not be uploaded to the network; given up", ids(intent, { error: err }));
  const text = `Your message was not sent to ${ctx.networkName}: its file could not be uploaded. ${reasonOf(err)}`;
  await ctx.notice(intent.matrixRoomId, { cause: intent.matrixEventId, purpose: "upload-failed" }, text);
}

/** What a person is told of a failure: its own sentence when it has one. */
function reasonOf(err: unknown): string {
  return (err instanceof BridgeError ? err.personMessage : undefined) ?? "The bridge met an unexpected error.";
}

/** The intent's ids, for a log line. */
export function ids(intent: SendIntent, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { mxid: intent.mxid, room: intent.matrixRoomId, event: intent.matrixEventId, gitterRoom: intent.gitterRoomId, ...extra };
}
