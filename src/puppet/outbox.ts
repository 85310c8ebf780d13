// Posting a Matrix message to Gitter exactly once, although Gitter's POST has no idempotency key and the
// bridge may die at any moment.
//
// The rule: record the intent, then post, then record the message link and clear the intent (one database
// transaction). An intent that is still open later (after a crash, or after Gitter failed in a way that may or
// may not have posted: GitterMaybeDeliveredError) means "perhaps on Gitter". Before posting it again, the
// room's Gitter history is searched for it (a fresh intent is posted at once: nothing can be on Gitter for it yet,
// and the search would cost a request of Gitter's 100 a minute per message); the message found is the one that
//   - was posted by the portal owner's own Gitter account,
//   - has the same text (trailing whitespace and line endings aside) in the same thread (or none),
//   - was sent no earlier than the intent was recorded, less CLOCK_SKEW_MS for the two clocks,
//   - and is not linked to any other Matrix message yet (so two identical messages in a row stay two).
// The oldest such message is taken. If there is none, the message is posted again. The same rule lets the
// Gitter side claim the user's own message when it arrives before the intent was resolved, so it is never
// bridged back into Matrix as a copy.
//
// The one ambiguity left: an identical message the user typed on Gitter itself, within that window, while an
// intent was open, is taken for the bridged one (the Matrix message then is not posted a second time).
//
// The two directions run side by side (portal-queues.ts), so Gitter's echo of a message can arrive while it is
// being posted. Sends and claims of one room therefore take turns (inTurn): a claim waits for the send under way,
// then finds the link it recorded; it never takes a message the send is about to record, nor lets a retry of the
// send see neither the intent nor the link.
import { GitterApiError, GitterMaybeDeliveredError, userMessageOf } from "../gitter/errors";
import { toMessage } from "../gitter/network-convert";
import { objectIdAt } from "../gitter/object-id";
import type { NewMessage } from "../gitter/rest";
import type { GitterMessage } from "../gitter/types";
import { failureReason } from "../metrics";
import type { NetworkMessage } from "../network/types";
import type { Portal, SendIntent } from "../store/store";
import { KeyedQueue } from "../util/keyed-queue";
import { getLogger } from "../util/log";
import { Stopped, untilDone } from "./retry";
import type { SessionContext } from "./session-context";

const log = getLogger("outbox");

/** How far Gitter's clock may lag ours when comparing a message's `sent` with the intent's time. */
export const CLOCK_SKEW_MS = 60_000;
/** History pages (of 100) searched for an intent before it counts as not posted. */
const MAX_PAGES = 10;
const PAGE = 100;

/**
 * Posts `message` for the Matrix event unless it is already linked or on Gitter, and records the link. Resolves
 * with the Gitter message id once the link is recorded (null when the event was linked before this call), or with
 * null once a refusal by Gitter was told to the user (in the portal). Throws on outages (the caller retries; the
 * intent stays open, so the retry looks at history first) and on unexpected errors.
 */
export function sendOnce(ctx: SessionContext, portal: Portal, matrixEventId: string, message: NewMessage): Promise<string | null> {
  return inTurn(ctx, portal.matrixRoomId, async () => {
    if (await ctx.store.messages.byMatrixEvent(matrixEventId)) return null;
    const open = await ctx.store.pendingSends.getIntent(matrixEventId);
    if (open) return deliver(ctx, open, "recovering");
    const intent = intentFor(ctx, portal, matrixEventId, message);
    await ctx.store.pendingSends.putIntent(intent);
    return deliver(ctx, intent, "fresh");
  });
}

/** Finishes an intent left open by an earlier process (or attempt); same contract as sendOnce. */
export function resumeIntent(ctx: SessionContext, intent: SendIntent): Promise<string | null> {
  return inTurn(ctx, intent.matrixRoomId, async () => {
    const linked = await ctx.store.messages.byMatrixEvent(intent.matrixEventId);
    if (linked) {
      await ctx.store.pendingSends.completeIntent(linked);
      return null;
    }
    return deliver(ctx, intent, "recovering");
  });
}

/**
 * When `msg` is the owner's own message and matches an open intent of this portal (the rule above), records
 * it as that intent's message and returns true: it must not be bridged back to Matrix. Also true when a send of the
 * portal recorded it while this waited for its turn. May throw (store).
 */
export async function claimOwnMessage(ctx: SessionContext, portal: Portal, msg: NetworkMessage): Promise<boolean> {
  if (msg.senderId !== ctx.gitterUserId) return false;
  return inTurn(ctx, portal.matrixRoomId, async () => {
    if (await ctx.store.messages.byGitterMessage(portal.matrixRoomId, msg.id)) return true;
    for (const intent of await ctx.store.pendingSends.listIntentsInRoom(portal.matrixRoomId)) {
      if (!matches(ctx, intent, msg)) continue;
      await complete(ctx, intent, msg.id);
      log.info("own Gitter message matched an open send intent", { room: intent.matrixRoomId, event: intent.matrixEventId, gitterMessageId: msg.id });
      return true;
    }
    return false;
  });
}

/** Per session, the rooms' turns; a session's context lives as long as the session, and its turns with it. */
const turns = new WeakMap<SessionContext, KeyedQueue>();

/** Runs `task` once the room's earlier sends and claims are done (see the top of this file). */
function inTurn<T>(ctx: SessionContext, matrixRoomId: string, task: () => Promise<T>): Promise<T> {
  let queue = turns.get(ctx);
  if (!queue) turns.set(ctx, (queue = new KeyedQueue({ concurrency: Number.MAX_SAFE_INTEGER })));
  return queue.push(matrixRoomId, task);
}

/**
 * Queues every open intent of the session's user on its portal's queue (so it runs before later messages of the
 * room), each finished as resumeIntent does, outages waited out until the session stops. Intents of rooms the
 * user no longer has a portal for are dropped. Never throws; failures are logged.
 */
export async function recoverIntents(ctx: SessionContext, portalFor: (gitterRoomId: string) => Portal | undefined): Promise<void> {
  let intents: SendIntent[];
  try {
    intents = await ctx.store.pendingSends.listIntents(ctx.mxid);
  } catch (err) {
    log.error("could not read open send intents", { mxid: ctx.mxid, error: err as Error });
    return;
  }
  if (intents.length) log.info("finishing messages left in flight", { mxid: ctx.mxid, count: intents.length });
  for (const intent of intents) {
    const portal = portalFor(intent.gitterRoomId);
    if (!portal || portal.matrixRoomId !== intent.matrixRoomId) {
      await ctx.store.pendingSends.dropIntent(intent.matrixEventId).catch(() => undefined);
      log.warn("dropped a send intent of a closed portal", { room: intent.matrixRoomId, event: intent.matrixEventId });
      continue;
    }
    const run = () =>
      untilDone(() => resumeIntent(ctx, intent), {
        signal: ctx.lifetime,
        onRetry: (err, attempt, delayMs) => log.warn("Gitter or the store unreachable; will retry", ids(intent, { attempt, delayMs, error: err })),
      });
    void ctx.queue.push("matrix-to-gitter", portal.matrixRoomId, run).catch((err: Error) => {
      if (!(err instanceof Stopped)) log.error("could not finish a message left in flight", ids(intent, { error: err }));
    });
  }
}

/** `fresh`: the intent was recorded just now, by this call; `recovering`: an earlier attempt may have posted it. */
async function deliver(ctx: SessionContext, intent: SendIntent, state: "fresh" | "recovering"): Promise<string | null> {
  const already = state === "recovering" ? await findPosted(ctx, intent) : null;
  if (already) {
    log.info("message was already on Gitter; not posting it again", ids(intent, { gitterMessageId: already.id }));
    return complete(ctx, intent, already.id);
  }
  let sent: GitterMessage;
  try {
    sent = await ctx.rest.sendMessage(intent.gitterRoomId, messageOf(intent));
  } catch (err) {
    if (err instanceof GitterMaybeDeliveredError) {
      const found = await findPosted(ctx, intent);
      if (found) {
        log.info("Gitter did not confirm a message, but it is in the room's history", ids(intent, { gitterMessageId: found.id }));
        return complete(ctx, intent, found.id);
      }
      log.warn("Gitter did not confirm a message and it is not in history (yet); will look again before resending", ids(intent, { error: err }));
    } else if (isRefusal(err)) {
      await refused(ctx, intent, err);
      return null;
    }
    throw err;
  }
  return complete(ctx, intent, sent.id);
}

/** The oldest message of the room matching the intent (see the rule at the top), or null. May throw. */
export async function findPosted(ctx: SessionContext, intent: SendIntent): Promise<GitterMessage | null> {
  let afterId = objectIdAt(intent.createdAt - CLOCK_SKEW_MS);
  for (let page = 0; page < MAX_PAGES; page++) {
    const batch = await ctx.rest.listMessages(intent.gitterRoomId, { afterId, limit: PAGE, includeThreads: true });
    for (const m of batch) {
      if (matches(ctx, intent, toMessage(intent.gitterRoomId, m)) && !(await ctx.store.messages.byGitterMessage(intent.matrixRoomId, m.id))) return m;
    }
    if (batch.length < PAGE) return null;
    afterId = batch[batch.length - 1].id;
  }
  log.warn("history search for a send intent gave up after many pages", ids(intent, { pages: MAX_PAGES }));
  return null;
}

function matches(ctx: SessionContext, intent: SendIntent, m: Pick<NetworkMessage, "senderId" | "text" | "threadId" | "sentAt">): boolean {
  if (m.senderId !== ctx.gitterUserId) return false;
  if (normalise(m.text) !== normalise(intent.text)) return false;
  if ((m.threadId ?? null) !== intent.parentId) return false;
  return Number.isNaN(m.sentAt) || m.sentAt >= intent.createdAt - CLOCK_SKEW_MS;
}

function normalise(text: string | undefined): string {
  return (text ?? "").replace(/\r\n?/g, "\n").trimEnd();
}

/** 4xx other than 429: Gitter will refuse the same request again (401 included: the login is gone). */
function isRefusal(err: unknown): err is GitterApiError {
  return err instanceof GitterApiError && err.status >= 400 && err.status < 500 && err.status !== 429;
}

async function refused(ctx: SessionContext, intent: SendIntent, err: GitterApiError): Promise<void> {
  await ctx.store.pendingSends.dropIntent(intent.matrixEventId);
  ctx.metrics?.failed("matrix-to-gitter", failureReason(err));
  log.warn("Gitter refused a message", ids(intent, { status: err.status, error: err }));
  const about = { cause: intent.matrixEventId, purpose: "refused-by-gitter" };
  await ctx.notice(intent.matrixRoomId, about, `Your message was not sent to Gitter: ${userMessageOf(err)}`);
}

async function complete(ctx: SessionContext, intent: SendIntent, gitterMessageId: string): Promise<string> {
  await ctx.store.pendingSends.completeIntent({
    matrixRoomId: intent.matrixRoomId,
    matrixEventId: intent.matrixEventId,
    gitterRoomId: intent.gitterRoomId,
    gitterMessageId,
    direction: "matrix-to-gitter",
    createdAt: Date.now(),
    ...(intent.parentId ? { gitterThreadId: intent.parentId } : {}),
  });
  return gitterMessageId;
}

function intentFor(ctx: SessionContext, portal: Portal, matrixEventId: string, message: NewMessage): SendIntent {
  return {
    matrixEventId,
    mxid: ctx.mxid,
    matrixRoomId: portal.matrixRoomId,
    gitterRoomId: portal.gitterRoomId,
    text: message.text,
    status: message.status === true,
    parentId: message.parentId ?? null,
    createdAt: Date.now(),
  };
}

function messageOf(intent: SendIntent): NewMessage {
  const out: NewMessage = { text: intent.text };
  if (intent.status) out.status = true;
  if (intent.parentId) out.parentId = intent.parentId;
  return out;
}

function ids(intent: SendIntent, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { mxid: intent.mxid, room: intent.matrixRoomId, event: intent.matrixEventId, gitterRoom: intent.gitterRoomId, ...extra };
}
