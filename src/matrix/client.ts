// A thin Client-Server API client for the application service, on the bridge's own HTTP client (see
// transport.ts for why not an SDK). Every call authenticates with the as_token in the Authorization header and
// acts as `userId` through `?user_id=` (appservice masquerading), so one client serves the bot and, through
// `as()`, every ghost. It registers no one and joins nothing by itself: callers do that first (see GhostManager).
//
// Every method may throw MatrixApiError (after the transport's retries). Sends that got no answer are looked for
// in the room before they are repeated (sendEvent). Calls awaited one after another run in that order.
import { isMatrixError } from "./errors";
import { Transport, type HttpMethod, type RequestSpec, type TransportOptions } from "./transport";

export { MatrixApiError, isMatrixError } from "./errors";

export interface ClientOptions extends TransportOptions {
  /** The bot's mxid (the registration's sender_localpart on our domain): whom this client acts as. */
  userId: string;
}

export interface StateEventInput {
  type: string;
  state_key?: string;
  content: Record<string, unknown>;
}

export interface CreateRoomOptions {
  name?: string;
  topic?: string;
  invite?: string[];
  isDirect?: boolean;
  /** Default `private_chat`. */
  preset?: "private_chat" | "trusted_private_chat" | "public_chat";
  /** Default `private`: never listed in the room directory. */
  visibility?: "private" | "public";
  initialState?: StateEventInput[];
  powerLevelContentOverride?: Record<string, unknown>;
  creationContent?: Record<string, unknown>;
  roomVersion?: string;
}

export interface Profile {
  displayname?: string;
  avatar_url?: string;
}

export interface Member {
  displayName?: string;
  avatarUrl?: string;
}

export type RoomEvent = Record<string, unknown> & { type: string; content: Record<string, unknown> };

const enc = encodeURIComponent;

/** Content key carrying the send's txn id, so an unanswered send can be recognised in the room later. */
export const TXN_ID_KEY = "org.gitter_bridge.txn_id";
/** How many of a user's latest events in a room are searched for an unanswered send. */
const RECENT_SENDS = 50;

export class MatrixClient {
  /** A client acting as the bot (`options.userId`). */
  static connect(options: ClientOptions): MatrixClient {
    return new MatrixClient(new Transport(options), options.userId);
  }

  constructor(
    private readonly transport: Transport,
    readonly userId: string,
  ) {}

  /** The same connection acting as another user of our namespace. Cheap; shares the transport. */
  as(userId: string): MatrixClient {
    return new MatrixClient(this.transport, userId);
  }

  async whoami(): Promise<{ user_id: string; device_id?: string }> {
    return this.call("GET", "/_matrix/client/v3/account/whoami");
  }

  /** Registers `localpart` in our namespace. Repeating it is harmless: M_USER_IN_USE counts as success. */
  async registerUser(localpart: string): Promise<void> {
    try {
      await this.transport.request({
        method: "POST",
        path: "/_matrix/client/v3/register",
        query: { kind: "user" },
        // inhibit_login: ghosts need no device or access token of their own; we masquerade instead.
        json: { type: "m.login.application_service", username: localpart, inhibit_login: true },
      });
    } catch (err) {
      if (!isMatrixError(err, "M_USER_IN_USE")) throw err;
    }
  }

  async getProfile(userId: string): Promise<Profile | null> {
    return this.orNull(this.call<Profile>("GET", `/_matrix/client/v3/profile/${enc(userId)}`));
  }

  async setDisplayName(displayname: string): Promise<void> {
    await this.call("PUT", `/_matrix/client/v3/profile/${enc(this.userId)}/displayname`, { displayname });
  }

  async setAvatarUrl(avatarUrl: string): Promise<void> {
    await this.call("PUT", `/_matrix/client/v3/profile/${enc(this.userId)}/avatar_url`, { avatar_url: avatarUrl });
  }

  /** Uploads media and returns its mxc:// uri. A retried upload may leave an unused copy behind. */
  async uploadMedia(bytes: Uint8Array, contentType: string, filename?: string): Promise<string> {
    const res = await this.transport.request<{ content_uri: string }>({
      method: "POST",
      path: "/_matrix/media/v3/upload",
      query: { user_id: this.userId, filename },
      bytes,
      contentType,
    });
    return res.content_uri;
  }

  /** Creates a room as this user and returns its id. Not retried where it might have been created already. */
  async createRoom(opts: CreateRoomOptions): Promise<string> {
    const body: Record<string, unknown> = {
      preset: opts.preset ?? "private_chat",
      visibility: opts.visibility ?? "private",
      name: opts.name,
      topic: opts.topic,
      invite: opts.invite,
      is_direct: opts.isDirect,
      initial_state: opts.initialState?.map((e) => ({ ...e, state_key: e.state_key ?? "" })),
      power_level_content_override: opts.powerLevelContentOverride,
      creation_content: opts.creationContent,
      room_version: opts.roomVersion,
    };
    const res = await this.transport.request<{ room_id: string }>({
      ...this.spec("POST", "/_matrix/client/v3/createRoom", stripUndefined(body)),
      idempotent: false,
    });
    return res.room_id;
  }

  async invite(roomId: string, userId: string, reason?: string): Promise<void> {
    await this.call("POST", `/_matrix/client/v3/rooms/${enc(roomId)}/invite`, stripUndefined({ user_id: userId, reason }));
  }

  /** Joins by id or alias; returns the room id. */
  async join(roomIdOrAlias: string, via: string[] = []): Promise<string> {
    const path = `/_matrix/client/v3/join/${enc(roomIdOrAlias)}`;
    const spec = this.spec("POST", path, {});
    // `via` may repeat in a query string; the homeserver reads every occurrence.
    const query = new URLSearchParams({ user_id: this.userId });
    for (const server of via) query.append("via", server);
    const res = await this.transport.request<{ room_id: string }>({ ...spec, query });
    return res.room_id;
  }

  async leave(roomId: string, reason?: string): Promise<void> {
    await this.call("POST", `/_matrix/client/v3/rooms/${enc(roomId)}/leave`, stripUndefined({ reason }));
  }

  async kick(roomId: string, userId: string, reason?: string): Promise<void> {
    await this.call("POST", `/_matrix/client/v3/rooms/${enc(roomId)}/kick`, stripUndefined({ user_id: userId, reason }));
  }

  /**
   * Sends an event and returns its id. Repeating a call with the same `txnId` yields the same event, so
   * retries never duplicate. Synapse scopes txn ids per appservice and path, not per ghost: ids must be
   * unique per room across every user we send as (derive them from the Gitter message id, say).
   *
   * Synapse remembers txn ids in memory only, so a send that got no answer and is repeated after Synapse
   * restarted would post twice. The content therefore carries the txn id (TXN_ID_KEY), and a send that may
   * have been applied is looked for in the room before it is repeated. `mayExist` says an earlier process may
   * have sent it already (and died before it could record that): it is then looked for before the first try.
   */
  async sendEvent(roomId: string, type: string, content: Record<string, unknown>, txnId: string, opts: { mayExist?: boolean } = {}): Promise<string> {
    const path = `/_matrix/client/v3/rooms/${enc(roomId)}/send/${enc(type)}/${enc(txnId)}`;
    const spec = this.spec("PUT", path, { ...content, [TXN_ID_KEY]: txnId });
    const verify = () => this.findSent(roomId, type, txnId);
    const res = await this.transport.request<{ event_id: string }>({ ...spec, verify, verifyFirst: opts.mayExist === true });
    return res.event_id;
  }

  /** This user's recent event of `type` in the room that carries `txnId`, as a send's answer; undefined if none. */
  private async findSent(roomId: string, type: string, txnId: string): Promise<{ event_id: string } | undefined> {
    const filter = JSON.stringify({ senders: [this.userId], types: [type] });
    const res = await this.transport.request<{ chunk?: RoomEvent[] }>({
      method: "GET",
      path: `/_matrix/client/v3/rooms/${enc(roomId)}/messages`,
      query: { user_id: this.userId, dir: "b", limit: String(RECENT_SENDS), filter },
    });
    const hit = (res.chunk ?? []).find((e) => e.content?.[TXN_ID_KEY] === txnId && typeof e.event_id === "string");
    return hit ? { event_id: hit.event_id as string } : undefined;
  }

  async sendState(roomId: string, type: string, stateKey: string, content: Record<string, unknown>): Promise<string> {
    const path = `/_matrix/client/v3/rooms/${enc(roomId)}/state/${enc(type)}/${enc(stateKey)}`;
    return (await this.call<{ event_id: string }>("PUT", path, content)).event_id;
  }

  /**
   * Shows this user typing in the room for up to `timeoutMs` (or stops showing it). Ephemeral: nothing is kept, and
   * repeating it only renews the timeout.
   */
  async setTyping(roomId: string, typing: boolean, timeoutMs?: number): Promise<void> {
    const body = typing ? stripUndefined({ typing, timeout: timeoutMs }) : { typing };
    await this.call("PUT", `/_matrix/client/v3/rooms/${enc(roomId)}/typing/${enc(this.userId)}`, body);
  }

  /** Redacts an event; idempotent per `txnId` like sendEvent. */
  async redact(roomId: string, eventId: string, txnId: string, reason?: string): Promise<string> {
    const path = `/_matrix/client/v3/rooms/${enc(roomId)}/redact/${enc(eventId)}/${enc(txnId)}`;
    return (await this.call<{ event_id: string }>("PUT", path, stripUndefined({ reason }))).event_id;
  }

  /** One event as this user may see it (a redacted one comes back with its content emptied), or null if unknown. */
  async getEvent(roomId: string, eventId: string): Promise<RoomEvent | null> {
    return this.orNull(this.call<RoomEvent>("GET", `/_matrix/client/v3/rooms/${enc(roomId)}/event/${enc(eventId)}`));
  }

  async getJoinedMembers(roomId: string): Promise<Map<string, Member>> {
    type Joined = { joined: Record<string, { display_name?: string; avatar_url?: string }> };
    const res = await this.call<Joined>("GET", `/_matrix/client/v3/rooms/${enc(roomId)}/joined_members`);
    const out = new Map<string, Member>();
    for (const [mxid, m] of Object.entries(res.joined ?? {})) out.set(mxid, stripUndefined({ displayName: m.display_name, avatarUrl: m.avatar_url }));
    return out;
  }

  async getJoinedRooms(): Promise<string[]> {
    return (await this.call<{ joined_rooms: string[] }>("GET", "/_matrix/client/v3/joined_rooms")).joined_rooms;
  }

  async getRoomState(roomId: string): Promise<RoomEvent[]> {
    return this.call<RoomEvent[]>("GET", `/_matrix/client/v3/rooms/${enc(roomId)}/state`);
  }

  /** The content of one state event, or null when it is not set. */
  async getStateEvent(roomId: string, type: string, stateKey = ""): Promise<Record<string, unknown> | null> {
    const path = `/_matrix/client/v3/rooms/${enc(roomId)}/state/${enc(type)}/${enc(stateKey)}`;
    return this.orNull(this.call<Record<string, unknown>>("GET", path));
  }

  async setAccountData(type: string, content: Record<string, unknown>): Promise<void> {
    await this.call("PUT", `/_matrix/client/v3/user/${enc(this.userId)}/account_data/${enc(type)}`, content);
  }

  /** This user's global account data of `type` (e.g. `m.direct`), or null when never set. */
  async getAccountData(type: string): Promise<Record<string, unknown> | null> {
    return this.orNull(this.call("GET", `/_matrix/client/v3/user/${enc(this.userId)}/account_data/${enc(type)}`));
  }

  async setRoomAccountData(roomId: string, type: string, content: Record<string, unknown>): Promise<void> {
    const path = `/_matrix/client/v3/user/${enc(this.userId)}/rooms/${enc(roomId)}/account_data/${enc(type)}`;
    await this.call("PUT", path, content);
  }

  /** Asks the homeserver to call our `/_matrix/app/v1/ping`; resolves with its measured round trip. */
  async ping(appserviceId: string, transactionId?: string): Promise<{ durationMs: number }> {
    const path = `/_matrix/client/v1/appservice/${enc(appserviceId)}/ping`;
    // Its 5xx answers report how our side answered the homeserver (M_BAD_STATUS, M_CONNECTION_FAILED): asking
    // again gets the same report, so it is not retried like a homeserver failure.
    const json = stripUndefined({ transaction_id: transactionId });
    const res = await this.transport.request<{ duration_ms: number }>({ method: "POST", path, json, idempotent: false });
    return { durationMs: res.duration_ms };
  }

  private call<T>(method: HttpMethod, path: string, json?: unknown): Promise<T> {
    return this.transport.request<T>(this.spec(method, path, json));
  }

  private spec(method: HttpMethod, path: string, json?: unknown): RequestSpec {
    return { method, path, json, query: { user_id: this.userId } };
  }

  private async orNull<T>(p: Promise<T>): Promise<T | null> {
    try {
      return await p;
    } catch (err) {
      if (isMatrixError(err, "M_NOT_FOUND")) return null;
      throw err;
    }
  }
}

function stripUndefined<T extends Record<string, unknown>>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}
