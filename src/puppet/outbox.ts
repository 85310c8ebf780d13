// Posting a Matrix message to the network exactly once, although a network's send may take no idempotency key
// (Gitter's POST takes none) and the bridge may die at any moment.
//
// The rule: record the intent, then send, then record the message link and clear the intent (one database
// transaction). Every attempt of one intent sends with the same key (sendKey: made of the Matrix event id, so it
// survives a crash); a network that remembers keys (capabilities.keyedSendWindowMs) answers a repeat with the
// first message. An intent that is still open later (after a crash, or after a send failed "maybe-delivered")
// means "perhaps on the network". Before sending it again, the network looks for it (findOwnMessage; a fresh
// intent is sent at once: nothing can be there for it yet, and on Gitter the search would cost a request of its
// 100 a minute per message); the message found is the one that
//   - was posted by the portal owner's own account,
//   - has the same text (trailing whitespace and line endings aside) in the same thread (or none),
//   - was sent no earlier than the intent was recorded, less CLOCK_SKEW_MS for the two clocks,
//   - and is not linked to any other Matrix message yet (isTaken: so two identical messages in a row stay two).
// The oldest such message is taken. If there is none, the message is sent again. The same rule lets the network
// side claim the user's own message when it arrives before the intent was resolved, so it is never bridged back
// into Matrix as a copy.
//
// A send or search that fails with neither an outage (waited out: the intent stays open) nor a refusal (told once)
// gives the intent up too, after one look for the message when the post may have been made: the person is told it
// may not have reached the network. Left open, it would be posted by a later start, after the room's newer messages.
//
// The one ambiguity left: an identical message the user typed on the network itself, within that window, while
// an intent was open, is taken for the bridged one (the Matrix message then is not posted a second time).
//
// The two directions run side by side (portal-queues.ts), so the network's echo of a message can arrive while it
// is being sent. Sends and claims of one room therefore take turns (inTurn): a claim waits for the send under way,
// then finds the link it recorded; it never takes a message the send is about to record, nor lets a retry of the
// send see neither the intent nor the link.
import { createHash } from "node:crypto";
import { isNetworkError, NetworkError, type NetworkErrorKind } from "../network/errors";
import type { NetworkMessage, OutgoingMessage, SendProbe } from "../network/types";
import type { Portal, SendIntent } from "../store/store";
import { KeyedQueue } from "../util/keyed-queue";
import { getLogger } from "../util/log";
import { ids, notUploaded, refused, undelivered } from "./outbox-give-up";
import { isOutage, Stopped, untilSessionDone } from "./retry";
import type { SessionContext } from "./session-context";

const log = getLogger("outbox");

/** How far the network's clock may lag ours when comparing a message's time with the intent's (as the adapters do). */
export const CLOCK_SKEW_MS = 60_000;

/** Kinds that say the network will refuse the same send again: told to the person once, not retried. */
const REFUSALS: ReadonlySet<NetworkErrorKind> = new Set(["token-invalid", "not-found", "forbidden", "rejected", "unsupported"]);

/**
 * Sends `message` for the Matrix event unless it is already linked or on the network, and records the link.
 * Resolves with the network's message id once the link is recorded (null when the event was linked before this
 * call), or with null once the message was given up and the user told so (in the portal): refused by the network,
 * or met by a failure that is not an outage (see deliver). Throws on outages (the caller retries; the intent stays
 * open, so the retry looks for it first) and on failures of the store.
 */
export function sendOnce(ctx: SessionContext, portal: Portal, matrixEventId: string, message: OutgoingMessage, upload?: Upload): Promise<string | null> {
  return inTurn(ctx, portal.matrixRoomId, async () => {
    if (await ctx.store.messages.byMatrixEvent(matrixEventId)) return null;
    const open = await ctx.store.pendingSends.getIntent(matrixEventId);
    if (open) return deliver(ctx, open, "recovering");
    const intent = intentFor(ctx, portal, matrixEventId, message);
    if (upload && !(await uploaded(ctx, intent, upload))) return null;
    await ctx.store.pendingSends.putIntent(intent);
    return deliver(ctx, intent, "fresh");
  });
}

/**
 * Puts the message's files on the network; resolves with their ids. Called for a fresh intent only, before it is
 * recorded: the intent remembers the ids, so a retry or a later process posts the same files and never uploads
 * again; a crash before the intent is recorded leaves at worst an upload no post uses.
 */
export type Upload = () => Promise<string[]>;

/**
 * Adds the uploaded files to the intent; false once the message was given up and the user told: refused by the
 * network, or met by a failure that is not an outage (nothing was posted then). Throws on outages.
 */
async function uploaded(ctx: SessionContext, intent: SendIntent, upload: Upload): Promise<boolean> {
  try {
    intent.fileIds = await upload();
    return true;
  } catch (err) {
    await giveUpUnlessOutage(ctx, intent, err, notUploaded);
    return false;
  }
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
  if (msg.senderId !== ctx.network.self.id) return false;
  return inTurn(ctx, portal.matrixRoomId, async () => {
    if (await ctx.store.messages.byGitterMessage(portal.matrixRoomId, msg.id)) return true;
    for (const intent of await ctx.store.pendingSends.listIntentsInRoom(portal.matrixRoomId)) {
      if (!matches(ctx, intent, msg)) continue;
      await complete(ctx, intent, msg.id);
      log.info("own network message matched an open send intent", { room: intent.matrixRoomId, event: intent.matrixEventId, gitterMessageId: msg.id });
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
      untilSessionDone(ctx, () => resumeIntent(ctx, intent), (err, attempt, delayMs) =>
        log.warn("the network or the store unreachable; will retry", ids(intent, { attempt, delayMs, error: err })),
      );
    void ctx.queue.push("matrix-to-gitter", portal.matrixRoomId, run).catch((err: Error) => {
      if (!(err instanceof Stopped)) log.error("could not finish a message left in flight", ids(intent, { error: err }));
    });
  }
}

/**
 * The intent's idempotency key for the network: the same for every attempt of one Matrix event, in every process,
 * and another for each event (43 of A-Z a-z 0-9 _ -).
 */
export function sendKey(matrixEventId: string): string {
  return createHash("sha256").update(matrixEventId).digest("base64url");
}

/**
 * Finishes the intent: linked once found or posted. A refusal, or any failure that is not an outage (an answer the
 * bridge cannot read, a bug), gives it up, told to the user: left open, a later start would post it after the
 * room's newer messages. Resolves with null then; throws on outages (the intent stays open) and store failures.
 */
async function deliver(ctx: SessionContext, intent: SendIntent, state: "fresh" | "recovering"): Promise<string | null> {
  let posted: string;
  try {
    posted = await post(ctx, intent, state);
  } catch (err) {
    await giveUpUnlessOutage(ctx, intent, err, undelivered);
    return null;
  }
  return complete(ctx, intent, posted);
}

/**
 * The network's id of the intent's message, found or posted now. `fresh`: the intent was recorded just now, by this
 * call; `recovering`: an earlier attempt may have posted it. Throws what the network threw.
 */
async function post(ctx: SessionContext, intent: SendIntent, state: "fresh" | "recovering"): Promise<string> {
  const already = state === "recovering" ? await findPosted(ctx, intent) : null;
  if (already) {
    log.info("message was already on the network; not posting it again", ids(intent, { gitterMessageId: already.id }));
    return already.id;
  }
  try {
    return (await ctx.network.send(intent.gitterRoomId, messageOf(intent), sendKey(intent.matrixEventId))).id;
  } catch (err) {
    // Unless the network surely did nothing (it was unreachable, or it refused), the post may have been made.
    if (isNetworkError(err, "unavailable") || isRefusal(err)) throw err;
    const found = await findPosted(ctx, intent);
    if (found) {
      log.info("the network did not confirm a message, but it is in the room", ids(intent, { gitterMessageId: found.id, error: err }));
      return found.id;
    }
    if (isOutage(err)) log.warn("the network did not confirm a message and it is not in the room (yet); will look again before resending", ids(intent, { error: err }));
    throw err;
  }
}

/** True when the network refused the message: it did nothing, and trying again would not change its answer. */
function isRefusal(err: unknown): err is NetworkError {
  return err instanceof NetworkError && REFUSALS.has(err.kind);
}

/**
 * Rethrows an outage (the caller waits it out, the intent stays open); otherwise gives the message up, told to the
 * person: `refused` for a refusal, `otherwise` for any other failure.
 */
async function giveUpUnlessOutage(ctx: SessionContext, intent: SendIntent, err: unknown, otherwise: (ctx: SessionContext, intent: SendIntent, err: unknown) => Promise<void>): Promise<void> {
  if (isOutage(err)) throw err;
  if (isRefusal(err)) await refused(ctx, intent, err);
  else await otherwise(ctx, intent, err);
}

/** The oldest message of the room matching the intent (see the rule at the top), or null. May throw. */
function findPosted(ctx: SessionContext, intent: SendIntent): Promise<NetworkMessage | null> {
  const probe: SendProbe = {
    key: sendKey(intent.matrixEventId),
    text: intent.text,
    since: intent.createdAt,
    isTaken: async (messageId) => (await ctx.store.messages.byGitterMessage(intent.matrixRoomId, messageId)) !== null,
  };
  if (intent.parentId) probe.threadId = intent.parentId;
  if (intent.status) probe.kind = "emote";
  return ctx.network.findOwnMessage(intent.gitterRoomId, probe);
}

/** The claim's half of the rule at the top; the network's findOwnMessage applies the same one. */
function matches(ctx: SessionContext, intent: SendIntent, m: NetworkMessage): boolean {
  if (m.senderId !== ctx.network.self.id) return false;
  if (normalise(m.text) !== normalise(intent.text)) return false;
  if ((m.threadId ?? null) !== intent.parentId) return false;
  return Number.isNaN(m.sentAt) || m.sentAt >= intent.createdAt - CLOCK_SKEW_MS;
}

function normalise(text: string): string {
  return text.replace(/\r\n?/g, "\n").trimEnd();
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

/** The store keeps an emote as `status` and the thread as `parentId` (Gitter's words, the columns' names). */
function intentFor(ctx: SessionContext, portal: Portal, matrixEventId: string, message: OutgoingMessage): SendIntent {
  return {
    matrixEventId,
    mxid: ctx.mxid,
    matrixRoomId: portal.matrixRoomId,
    gitterRoomId: portal.gitterRoomId,
    text: message.text,
    status: message.kind === "emote",
    parentId: message.threadId ?? null,
    createdAt: Date.now(),
    ...(message.fileIds?.length ? { fileIds: message.fileIds } : {}),
  };
}

function messageOf(intent: SendIntent): OutgoingMessage {
  const out: OutgoingMessage = { text: intent.text };
  if (intent.status) out.kind = "emote";
  if (intent.parentId) out.threadId = intent.parentId;
  if (intent.fileIds?.length) out.fileIds = intent.fileIds;
  return out;
}
