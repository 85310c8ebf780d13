// Acting as one user of our namespace without thinking about registration or membership first: a ghost is
// registered on its first call, and an event refused because the sender is not in the room is retried once
// after joining it (which works wherever the ghost was invited, as in our portal rooms).
import { isMatrixError } from "./errors";
import type { CreateRoomOptions, MatrixClient } from "./client";

export class Intents {
  private readonly intents = new Map<string, Intent>();
  /** One registration per user, shared by concurrent first calls; dropped on failure so the next call retries. */
  private readonly registrations = new Map<string, Promise<void>>();
  readonly bot: Intent;

  /**
   * `botClient` acts as the bot. `isGhost` says which ids to register on first use (the bot itself exists as
   * soon as the registration file is loaded).
   */
  constructor(
    private readonly botClient: MatrixClient,
    private readonly isGhost: (mxid: string) => boolean,
  ) {
    this.bot = new Intent(botClient, async () => undefined);
    this.intents.set(botClient.userId, this.bot);
  }

  /** The intent for `mxid` (cached). Throws for an id that is neither the bot nor one of our ghosts. */
  forUser(mxid: string): Intent {
    const cached = this.intents.get(mxid);
    if (cached) return cached;
    if (!this.isGhost(mxid)) throw new Error(`not a user of this bridge: ${mxid}`);
    const intent = new Intent(this.botClient.as(mxid), () => this.register(mxid));
    this.intents.set(mxid, intent);
    return intent;
  }

  private register(mxid: string): Promise<void> {
    let pending = this.registrations.get(mxid);
    if (!pending) {
      const localpart = mxid.slice(1, mxid.indexOf(":"));
      pending = this.botClient.registerUser(localpart);
      this.registrations.set(mxid, pending);
      pending.catch(() => this.registrations.delete(mxid));
    }
    return pending;
  }
}

/** Every method may throw MatrixApiError; each registers the user first and repeats nothing but the join retry. */
export class Intent {
  readonly userId: string;

  constructor(
    /** The raw client acting as this user, for calls the intent does not wrap. */
    readonly client: MatrixClient,
    private readonly registered: () => Promise<void>,
  ) {
    this.userId = client.userId;
  }

  ensureRegistered(): Promise<void> {
    return this.registered();
  }

  async join(roomIdOrAlias: string, via?: string[]): Promise<string> {
    await this.registered();
    return this.client.join(roomIdOrAlias, via);
  }

  async leave(roomId: string, reason?: string): Promise<void> {
    await this.registered();
    await this.client.leave(roomId, reason);
  }

  async setDisplayName(name: string): Promise<void> {
    await this.registered();
    await this.client.setDisplayName(name);
  }

  async setAvatarUrl(mxc: string): Promise<void> {
    await this.registered();
    await this.client.setAvatarUrl(mxc);
  }

  async createRoom(opts: CreateRoomOptions): Promise<string> {
    await this.registered();
    return this.client.createRoom(opts);
  }

  async invite(roomId: string, userId: string, reason?: string): Promise<void> {
    await this.inRoom(roomId, () => this.client.invite(roomId, userId, reason));
  }

  async kick(roomId: string, userId: string, reason?: string): Promise<void> {
    await this.inRoom(roomId, () => this.client.kick(roomId, userId, reason));
  }

  /** See MatrixClient.sendEvent for what `txnId` must be. */
  sendEvent(roomId: string, type: string, content: Record<string, unknown>, txnId: string): Promise<string> {
    return this.inRoom(roomId, () => this.client.sendEvent(roomId, type, content, txnId));
  }

  sendState(roomId: string, type: string, stateKey: string, content: Record<string, unknown>): Promise<string> {
    return this.inRoom(roomId, () => this.client.sendState(roomId, type, stateKey, content));
  }

  redact(roomId: string, eventId: string, txnId: string, reason?: string): Promise<string> {
    return this.inRoom(roomId, () => this.client.redact(roomId, eventId, txnId, reason));
  }

  async setRoomAccountData(roomId: string, type: string, content: Record<string, unknown>): Promise<void> {
    await this.registered();
    await this.client.setRoomAccountData(roomId, type, content);
  }

  async setAccountData(type: string, content: Record<string, unknown>): Promise<void> {
    await this.registered();
    await this.client.setAccountData(type, content);
  }

  /**
   * Runs `call`; on M_FORBIDDEN joins the room and runs it once more. A refusal that joining cannot cure
   * (no invite, power levels) surfaces as the original error, or the retry's own.
   */
  private async inRoom<T>(roomId: string, call: () => Promise<T>): Promise<T> {
    await this.registered();
    try {
      return await call();
    } catch (err) {
      if (!isMatrixError(err, "M_FORBIDDEN")) throw err;
      try {
        await this.client.join(roomId);
      } catch {
        throw err;
      }
      return call();
    }
  }
}
