// Gitter's Faye server extensions (API reference 5.1-5.2): the handshake must carry a live token, each
// subscription is checked against the handshaken user, clients may only publish pings, and replies carry
// what Gitter adds (user id on handshake, snapshots on subscribe, advice on 401s).
import { isObjectId } from "./ids";
import { channels, parseChannel, type ChannelRef } from "./realtime-channels";
import type { FayeClientInfo, FayeClientRegistry } from "./realtime-clients";
import type { BayeuxMessage, ExtensionCallback, FayeEngine, FayeExtension } from "./realtime-faye-types";
import type { RealtimeState } from "./realtime-state";

const SNAPSHOT_DEFAULT_LIMIT = 30;
/** Gitter's advice for a refused handshake: never come back with these credentials. */
const NO_RECONNECT = { reconnect: "none", interval: 864000000 };
const REHANDSHAKE = { reconnect: "handshake", interval: 2000 };

/** A snapshot is read when the reply goes out, after the subscription is in place (Gitter's authorisor.js does it
 * in the outgoing extension): a message created meanwhile then reaches the client as a push, never falls between. */
type Check = { error: string } | { ok: true; snapshot?: () => unknown; visits?: string };

export class GitterFayeExtension implements FayeExtension {
  constructor(
    private readonly state: RealtimeState,
    private readonly clients: FayeClientRegistry,
    private readonly engine: FayeEngine,
  ) {}

  incoming(message: BayeuxMessage, _request: unknown, callback: ExtensionCallback): void {
    const channel = message.channel;
    if (channel === "/meta/handshake") this.handshake(message);
    else if (channel === "/meta/subscribe") this.subscribe(message);
    else if (!channel.startsWith("/meta/")) this.publish(message);
    callback(message);
  }

  outgoing(message: BayeuxMessage, _request: unknown, callback: ExtensionCallback): void {
    const priv = message._private;
    delete message._private;
    if (message.channel === "/meta/handshake") {
      if (message.successful && message.clientId && priv) {
        const userId = String(priv.userId);
        this.clients.add(message.clientId, userId, String(priv.token), this.engine);
        message.ext = { ...message.ext, appVersion: "emulator", userId };
      } else if (message.error?.startsWith("401::")) {
        message.advice = { ...NO_RECONNECT };
      }
    } else if (message.error?.startsWith("401::")) {
      message.advice = { ...REHANDSHAKE };
    }
    if (message.channel === "/meta/subscribe" && message.successful && priv && typeof priv.snapshot === "function") {
      message.ext = { ...message.ext, snapshot: (priv.snapshot as () => unknown)() };
    }
    callback(message);
  }

  private handshake(message: BayeuxMessage): void {
    const token = message.ext?.token;
    if (typeof token !== "string" || token === "") {
      message.error = "401::Access token required";
      return;
    }
    const user = this.state.userForToken(token);
    if (!user) {
      message.error = "401::Invalid access token";
      return;
    }
    message._private = { userId: user.id, token };
  }

  private subscribe(message: BayeuxMessage): void {
    const client = this.clients.get(message.clientId);
    if (!client) {
      message.error = `401::Client ${message.clientId ?? ""} not authenticated`;
      return;
    }
    const subs = message.subscription === undefined ? [] : ([] as string[]).concat(message.subscription);
    for (const channel of subs) {
      const check = this.authorise(client, channel, message.ext?.snapshot);
      if ("error" in check) {
        message.error = check.error;
        return;
      }
      if (subs.length === 1 && check.snapshot !== undefined) message._private = { snapshot: check.snapshot };
      // zero804/gitter server/web/bayeux/authorisor.js validateUserForSubTroupeSubscription: a room subscription
      // saves the user's last access time of the room (and pushes it), as visiting the room does.
      if (check.visits !== undefined) this.state.visitRoom(client.userId, check.visits);
    }
  }

  private publish(message: BayeuxMessage): void {
    if (message.channel !== channels.ping) {
      message.error = "403::Push access denied";
    } else if (!this.clients.get(message.clientId)) {
      message.error = "401::Client does not exist";
    }
  }

  private authorise(client: FayeClientInfo, channel: string, snapshotArg: unknown): Check {
    const ref = parseChannel(channel);
    if (!ref) return { error: `404::Unknown subscription ${channel}` };
    if ("roomId" in ref) return this.authoriseRoom(client, ref, snapshotArg);
    const allowed = ref.kind === "token" ? ref.token === client.token : ref.userId === client.userId;
    return allowed ? { ok: true } : { error: "403::Authorisation denied." };
  }

  private authoriseRoom(client: FayeClientInfo, ref: ChannelRef & { roomId: string }, snapshotArg: unknown): Check {
    if (!isObjectId(ref.roomId)) return { error: `400::Invalid ID: ${ref.roomId}` };
    const room = this.state.getRoom(ref.roomId);
    // policy.canRead (authorisor.js permissionToRead): a public room is open to anyone, member or not.
    if (!room || !this.state.canRead(client.userId, ref.roomId)) return { error: "403::Authorisation denied." };
    const visits = ref.roomId;
    if (ref.kind === "roomChatMessages" && snapshotArg !== false) {
      const query = chatSnapshotQuery(snapshotArg);
      if (query.beforeInclId !== undefined && !isObjectId(query.beforeInclId)) return { error: "400::Invalid beforeInclId" };
      return { ok: true, visits, snapshot: () => this.state.listMessages(ref.roomId, query) };
    }
    if (ref.kind === "room" && snapshotArg === true) return { ok: true, visits, snapshot: () => this.state.serializeRoomFor(client.userId, room) };
    return { ok: true, visits };
  }
}

/** `ext.snapshot` on a chatMessages subscription: absent/true for the default page, or an options object. */
function chatSnapshotQuery(arg: unknown): { limit: number; beforeInclId?: string; includeThreads?: boolean } {
  const opts = typeof arg === "object" && arg !== null ? (arg as Record<string, unknown>) : {};
  return {
    limit: typeof opts.limit === "number" ? opts.limit : SNAPSHOT_DEFAULT_LIMIT,
    beforeInclId: typeof opts.beforeInclId === "string" ? opts.beforeInclId : undefined,
    includeThreads: opts.includeThreads === true ? true : undefined,
  };
}
