// One portal: a network room as seen by one Matrix user, in a Matrix room of their own. Each direction has its own
// per-room queue (portal-queues.ts), so neither waits for the other's backlog. The network's echo of a message the
// user sent is dropped by its message id (never by sender name): the outbox records the id, and an echo that
// arrives while the post is under way waits for it (claimOwnMessage).
import { relationOf } from "../convert/replies";
import { failureReason } from "../metrics";
import type { NetworkMessage, NetworkUser } from "../network/types";
import type { Direction, Portal } from "../store/store";
import { getLogger } from "../util/log";
import { contentForNetwork, contentForMatrix } from "./portal-content";
import { changeFromMatrix } from "./portal-edits";
import { filesToMatrix } from "./portal-files";
import { uploadFor } from "./portal-uploads";
import { reactionFromMatrix } from "./portal-reactions";
import { placeInMatrix } from "./portal-threads";
import { claimOwnMessage, sendOnce } from "./outbox";
import { Stopped, untilSessionDone } from "./retry";
import type { SessionContext } from "./session-context";

const log = getLogger("portal");

export interface MatrixRoomEvent {
  event_id: string;
  room_id: string;
  sender: string;
  type: string;
  content: Record<string, unknown>;
  origin_server_ts?: number;
}

export class PortalRoom {
  /**
   * True until this process sent a Gitter message into the room. The previous process, serial per room, may
   * have sent the first unrecorded message and died before recording it; only that one can be in doubt, and
   * Synapse may have forgotten its txn id (restarted), so it is looked for in the room before it is sent.
   */
  private firstSend = true;

  constructor(
    private readonly ctx: SessionContext,
    readonly row: Portal,
  ) {}

  get matrixRoomId(): string {
    return this.row.matrixRoomId;
  }

  /**
   * Bridges a network message into the Matrix room; resolves once it is sent and recorded (or skipped). While the
   * homeserver is unreachable it waits and retries, holding this room's later messages back (the cursor moves
   * only past bridged messages); it resolves without bridging once the session stopped.
   */
  fromNetwork(msg: NetworkMessage): Promise<void> {
    const job = () =>
      untilSessionDone(this.ctx, () => this.bridgeFromNetwork(msg), (err, attempt, delayMs) =>
        log.warn("homeserver or store unreachable; will retry", { room: this.matrixRoomId, gitterMessageId: msg.id, attempt, delayMs, error: err }),
      ).catch((err: unknown) => {
        // Only what outlived the retries counts as failed: an outage waited out is not a failure.
        if (!(err instanceof Stopped)) this.failed("gitter-to-matrix", err);
      });
    return this.ctx.queue.push("gitter-to-matrix", this.matrixRoomId, job);
  }

  /**
   * Bridges the owner's Matrix message to Gitter; resolves once it is sent and recorded (or refused, the user
   * told). Throws when Gitter or the store is unreachable: the caller retries, and the retry never posts twice.
   */
  fromMatrix(event: MatrixRoomEvent): Promise<void> {
    const job = () => this.bridgeFromMatrix(event).catch((e) => this.failed("matrix-to-gitter", e));
    return this.ctx.queue.push("matrix-to-gitter", this.matrixRoomId, job);
  }

  private failed(direction: Direction, err: unknown): never {
    this.ctx.metrics?.failed(direction, failureReason(err));
    throw err;
  }

  /**
   * Someone joined or left the network room: their ghost follows, in order with the room's messages (so a message
   * sent just before leaving is not posted by a ghost that already left). A join is followed only when the network
   * said who joined (`user`). Resolves once done; may reject.
   */
  memberChanged(change: "joined" | "left", userId: string, user?: NetworkUser): Promise<void> {
    // The owner's own joins and leaves open and close the portal itself (the user-rooms channel).
    if (userId === this.ctx.gitterUserId) return Promise.resolve();
    return this.ctx.queue.push("gitter-to-matrix", this.matrixRoomId, () => this.followMember(change, userId, user));
  }

  private async followMember(change: "joined" | "left", userId: string, user?: NetworkUser): Promise<void> {
    if (change === "joined" && user) {
      const mxid = await this.ctx.ghosts.ensure(user);
      await this.ctx.ghosts.ensureInRoom(mxid, this.matrixRoomId);
      log.debug("ghost joined after a network join", { room: this.matrixRoomId, ghost: mxid });
    } else if (change === "left") {
      const mxid = await this.ctx.ghosts.knownMxid(userId);
      if (!mxid) return;
      await this.ctx.ghosts.leaveRoom(mxid, this.matrixRoomId);
      log.debug("ghost left after a network leave", { room: this.matrixRoomId, ghost: mxid });
    }
  }

  private async bridgeFromNetwork(msg: NetworkMessage): Promise<void> {
    const { store } = this.ctx;
    const seen = await store.messages.byGitterMessage(this.matrixRoomId, msg.id);
    if (!seen && !(await claimOwnMessage(this.ctx, this.row, msg))) await this.sendToMatrix(msg);
    await store.portals.advanceCursor(this.row.mxid, this.row.gitterRoomId, msg.cursor);
    this.row.lastGitterMessageId = msg.cursor;
  }

  /**
   * Sends a message not bridged yet as its author's ghost, its text and then its files, and links it (by its text,
   * or its first file when it has no text); one with nothing to show is passed over.
   */
  private async sendToMatrix(msg: NetworkMessage): Promise<void> {
    const { store } = this.ctx;
    const sender = await this.ctx.ghosts.ensure(msg.sender ?? (await this.ctx.network.getUser(msg.senderId)));
    await this.ctx.ghosts.ensureInRoom(sender, this.matrixRoomId);
    const content = await contentForMatrix(this.ctx, msg, sender);
    const thread = await placeInMatrix(this.ctx, this.row, msg);
    const mayExist = this.firstSend;
    // The transaction id is the message's alone, so a message bridged again after a crash lands once.
    if (content && thread.relation) content["m.relates_to"] = thread.relation;
    const textEventId = content && (await this.sendContent(sender, content, `g2m-${msg.id}`));
    const files = await filesToMatrix(this.ctx, msg, { matrixRoomId: this.matrixRoomId, sender, relation: thread.relation, mayExist });
    if (files.length > 0) this.firstSend = false;
    const eventId = textEventId || files[0];
    if (!eventId) {
      log.debug("network message with nothing to show in Matrix", { room: this.matrixRoomId, gitterMessageId: msg.id, kind: msg.kind });
      return;
    }
    // The files first: once the message is linked it is not sent again, and its deletion must find them all.
    await store.messages.recordFiles(this.matrixRoomId, msg.id, files);
    await store.messages.recordMessage({
      matrixRoomId: this.matrixRoomId,
      matrixEventId: eventId,
      gitterRoomId: this.row.gitterRoomId,
      gitterMessageId: msg.id,
      direction: "gitter-to-matrix",
      createdAt: Date.now(),
      ...(thread.threadId ? { gitterThreadId: thread.threadId } : {}),
    });
    this.ctx.metrics?.bridged("gitter-to-matrix", msg.sentAt);
    log.debug("bridged to Matrix", { room: this.matrixRoomId, gitterRoom: this.row.gitterRoomId, gitterMessageId: msg.id, event: eventId, sender });
  }

  private async sendContent(sender: string, content: Record<string, unknown>, txnId: string): Promise<string> {
    const eventId = await this.ctx.matrix.as(sender).sendEvent(this.matrixRoomId, "m.room.message", content, txnId, { mayExist: this.firstSend });
    this.firstSend = false;
    return eventId;
  }

  private async bridgeFromMatrix(event: MatrixRoomEvent): Promise<void> {
    // Reactions, edits and redactions change earlier messages; they are not messages of their own.
    if (await reactionFromMatrix(this.ctx, this.row, event)) return;
    if (await changeFromMatrix(this.ctx, this.row, event)) return;
    if (await this.ctx.store.messages.byMatrixEvent(event.event_id)) return;
    const source = { eventId: event.event_id, messageEventId: event.event_id };
    const out = await contentForNetwork(this.ctx, this.row, event.content, relationOf(event.content), source);
    if (out.kind === "ignore") return;
    // An open intent has its files on the network already (outbox.ts): the file is not read again.
    const uploading = out.kind === "send" && out.file && !(await this.ctx.store.pendingSends.getIntent(event.event_id));
    const file = uploading && out.file ? await uploadFor(this.ctx, this.row, out.file) : null;
    const refusal = out.kind === "refuse" ? out : file?.kind === "refuse" ? file : null;
    if (refusal) {
      this.ctx.metrics?.failed("matrix-to-gitter", refusal.reason);
      await this.ctx.notice(this.matrixRoomId, { cause: event.event_id, purpose: "refused" }, `Your message was not sent to ${this.ctx.network.profile.displayName}: ${refusal.notice}`);
      return;
    }
    if (out.kind !== "send") return;
    const message = { text: out.text, kind: out.status ? ("emote" as const) : ("text" as const), threadId: out.parentId };
    const gitterMessageId = await sendOnce(this.ctx, this.row, event.event_id, message, file?.kind === "upload" ? file.upload : undefined);
    if (gitterMessageId === null) return;
    if (out.notice) await this.ctx.notice(this.matrixRoomId, { cause: event.event_id, purpose: "sent-with-notice" }, `Your message ${out.notice}`);
    this.ctx.metrics?.bridged("matrix-to-gitter", event.origin_server_ts);
    log.debug("bridged to Gitter", { room: this.matrixRoomId, gitterRoom: this.row.gitterRoomId, event: event.event_id, gitterMessageId, sender: event.sender });
  }
}
