// Typed client for the Gitter REST calls a puppeting bridge needs (API reference section 3), acting as
// one Gitter user with that user's OAuth token. Every method may block (rate-limit waits, retry backoff)
// and may throw the errors of ./errors; the header of ./rest-transport says which requests are repeated.
// An entity a method returns has been checked against its wire type (./validate): an answer of another shape
// throws GitterBadResponseError instead of travelling on into the bridge.

import { GitterApiError, isGitterStatus } from "./errors";
import type { RateLimiter } from "./rate-limit";
import { RestTransport, type Query, type RequestGate, type RequestSpec, type RetryPolicy } from "./rest-transport";
import { checkList, checkMessage, checkResults, checkRoom, checkUser, type Problem } from "./validate";
import type {
  GitterMessage,
  GitterRoom,
  GitterSearchResults,
  GitterSuccess,
  GitterUnreadItems,
  GitterUser,
  GitterUserProfile,
} from "./types";

export interface GitterRestClientOptions {
  /** Base URL such as https://api.gitter.im (or https://gitter.im/api); a trailing /v1 is tolerated. */
  apiUrl: string;
  token: string;
  fetch?: typeof fetch;
  retry?: Partial<RetryPolicy>;
  /** Share one limiter between every client using the same token; a fresh one is made otherwise. */
  limiter?: RateLimiter;
  /** Bounds requests in flight across every client sharing it (see RestTransport). */
  gate?: RequestGate;
  /** The token owner's Gitter user id, when already known; saves a `GET /v1/user/me`. */
  userId?: string;
}

export interface MemberQuery {
  /** Default 30 on the server, at most 100. */
  limit?: number;
  skip?: number;
  /** Username/display-name prefix (typeahead). */
  q?: string;
}

export interface MessageQuery {
  /** Default 50 on the server, capped at 100. */
  limit?: number;
  beforeId?: string;
  afterId?: string;
  aroundId?: string;
  /** At most 5000; page with beforeId instead. */
  skip?: number;
  /** Thread replies are left out of the main list unless this is true. */
  includeThreads?: boolean;
}

export interface ThreadQuery {
  limit?: number;
  beforeId?: string;
  afterId?: string;
}

export interface NewMessage {
  text: string;
  /** A `/me` status message. */
  status?: boolean;
  /** Posts as a reply in the thread of this message. */
  parentId?: string;
}

export interface SearchQuery {
  limit?: number;
  skip?: number;
}

const seg = encodeURIComponent;
type Check = (body: unknown) => Problem;
const USER: Check = (b) => checkUser(b);
const ROOM: Check = (b) => checkRoom(b);
const MESSAGE: Check = (b) => checkMessage(b);
const USERS = checkList(checkUser);
const ROOMS = checkList(checkRoom);
const MESSAGES = checkList(checkMessage);
/** `GET /v1/user` answers an array; its first item must be a user (emptiness is reported separately). */
const USER_LIST: Check = (b) => (Array.isArray(b) ? (b.length ? checkUser(b[0], "[0]") : null) : "expected an array");
/** `GET /v1/users/:username`: a profile, of which the bridge reads id and username only. */
const PROFILE: Check = (b) => checkUser(b, "profile");

export class GitterRestClient {
  /** The limiter in use, for wiring its wait events to metrics. */
  readonly limiter: RateLimiter;
  private readonly transport: RestTransport;
  private selfId: string | undefined;

  constructor(options: GitterRestClientOptions) {
    this.transport = new RestTransport(options);
    this.limiter = this.transport.limiter;
    this.selfId = options.userId;
  }

  /** `GET /v1/user/me`. Also remembers the user id for the calls below that need it. */
  async getCurrentUser(): Promise<GitterUser> {
    const user = (await this.get("/v1/user/me", undefined, USER)) as GitterUser;
    this.selfId = user.id;
    return user;
  }

  /** `GET /v1/user`, the array form older clients use; throws GitterApiError if the array is empty. */
  async getCurrentUserFromList(): Promise<GitterUser> {
    const list = await this.get("/v1/user", undefined, USER_LIST);
    const user = Array.isArray(list) ? (list[0] as GitterUser | undefined) : undefined;
    if (!user) throw new GitterApiError({ status: 200, method: "GET", path: "/v1/user", bodyText: "(no user in the list)" });
    this.selfId = user.id;
    return user;
  }

  /** `GET /v1/rooms`. May include rooms where the user was only mentioned (`roomMember: false`). */
  async listRooms(): Promise<GitterRoom[]> {
    return (await this.get("/v1/rooms", undefined, ROOMS)) as GitterRoom[];
  }

  /** `POST /v1/rooms {uri}`: resolves without joining. A username finds or opens the one-to-one room. */
  async resolveRoom(uri: string): Promise<GitterRoom> {
    return (await this.send({ method: "POST", path: "/v1/rooms", body: { uri }, repeatable: true, expect: ROOM })) as GitterRoom;
  }

  /** `POST /v1/user/:me/rooms {id}`: joins by id; joining twice is harmless. */
  async joinRoom(roomId: string): Promise<GitterRoom> {
    const path = `/v1/user/${seg(await this.me())}/rooms`;
    return (await this.send({ method: "POST", path, body: { id: roomId }, repeatable: true, expect: ROOM })) as GitterRoom;
  }

  /**
   * `DELETE /v1/rooms/:roomId/users/:id`, with the user's id (Gitter answers 404 to `me` there). One-to-one rooms
   * cannot be left (400): hide them instead. Gitter answers 404 to a user who is not in the room, so a leave
   * whose first answer was lost, or of a room left meanwhile, is done, not failed.
   */
  async leaveRoom(roomId: string): Promise<GitterSuccess> {
    const path = `/v1/rooms/${seg(roomId)}/users/${seg(await this.me())}`;
    try {
      return (await this.send({ method: "DELETE", path, repeatable: true })) as GitterSuccess;
    } catch (err) {
      if (isGitterStatus(err, 404)) return { success: true };
      throw err;
    }
  }

  /** `DELETE /v1/user/:me/rooms/:roomId`: hides the room from the user's list. */
  async hideRoom(roomId: string): Promise<GitterSuccess> {
    const path = `/v1/user/${seg(await this.me())}/rooms/${seg(roomId)}`;
    return (await this.send({ method: "DELETE", path, repeatable: true })) as GitterSuccess;
  }

  /** `GET /v1/rooms/:roomId`. */
  async getRoom(roomId: string): Promise<GitterRoom> {
    return (await this.get(`/v1/rooms/${seg(roomId)}`, undefined, ROOM)) as GitterRoom;
  }

  /** `GET /v1/rooms/:roomId/users`. One page; pages are not atomic, so overlap them when walking. */
  async listRoomMembers(roomId: string, query: MemberQuery = {}): Promise<GitterUser[]> {
    return (await this.get(`/v1/rooms/${seg(roomId)}/users`, { ...query }, USERS)) as GitterUser[];
  }

  /** `GET /v1/rooms/:roomId/chatMessages`, oldest first. */
  async listMessages(roomId: string, query: MessageQuery = {}): Promise<GitterMessage[]> {
    return (await this.get(`/v1/rooms/${seg(roomId)}/chatMessages`, { ...query }, MESSAGES)) as GitterMessage[];
  }

  /** `GET /v1/rooms/:roomId/chatMessages/:id`. 404 if the message is not in this room. */
  async getMessage(roomId: string, messageId: string): Promise<GitterMessage> {
    return (await this.get(`/v1/rooms/${seg(roomId)}/chatMessages/${seg(messageId)}`, undefined, MESSAGE)) as GitterMessage;
  }

  /**
   * `POST /v1/rooms/:roomId/chatMessages`. Never repeated after it may have reached Gitter: a 5xx or a
   * broken connection throws GitterMaybeDeliveredError. 429 is waited out and retried.
   */
  async sendMessage(roomId: string, message: NewMessage): Promise<GitterMessage> {
    const body: NewMessage = { text: message.text };
    if (message.status !== undefined) body.status = message.status;
    if (message.parentId !== undefined) body.parentId = message.parentId;
    const path = `/v1/rooms/${seg(roomId)}/chatMessages`;
    return (await this.send({ method: "POST", path, body, repeatable: false, expect: MESSAGE })) as GitterMessage;
  }

  /** `PUT /v1/rooms/:roomId/chatMessages/:id`. 400 once the edit window (600 s) is over; 403 if not the author. */
  async editMessage(roomId: string, messageId: string, text: string): Promise<GitterMessage> {
    const path = `/v1/rooms/${seg(roomId)}/chatMessages/${seg(messageId)}`;
    return (await this.send({ method: "PUT", path, body: { text }, repeatable: true, expect: MESSAGE })) as GitterMessage;
  }

  /** `DELETE /v1/rooms/:roomId/chatMessages/:id` (204, empty body). */
  async deleteMessage(roomId: string, messageId: string): Promise<void> {
    const path = `/v1/rooms/${seg(roomId)}/chatMessages/${seg(messageId)}`;
    await this.send({ method: "DELETE", path, repeatable: true, goneAfterRetryIsDone: true });
  }

  /** `GET /v1/rooms/:roomId/chatMessages/:id/thread`, oldest first. */
  async listThread(roomId: string, parentId: string, query: ThreadQuery = {}): Promise<GitterMessage[]> {
    return (await this.get(`/v1/rooms/${seg(roomId)}/chatMessages/${seg(parentId)}/thread`, { ...query }, MESSAGES)) as GitterMessage[];
  }

  /** `GET /v1/user/:me/rooms/:roomId/unreadItems`. */
  async getUnreadItems(roomId: string): Promise<GitterUnreadItems> {
    return (await this.get(`/v1/user/${seg(await this.me())}/rooms/${seg(roomId)}/unreadItems`)) as GitterUnreadItems;
  }

  /** `POST /v1/user/:me/rooms/:roomId/unreadItems {chat}`. Does nothing for an empty list (Gitter answers 400). */
  async markRead(roomId: string, messageIds: string[]): Promise<void> {
    if (messageIds.length === 0) return;
    const path = `/v1/user/${seg(await this.me())}/rooms/${seg(roomId)}/unreadItems`;
    await this.send({ method: "POST", path, body: { chat: messageIds }, repeatable: true });
  }

  /** `DELETE /v1/user/:me/rooms/:roomId/unreadItems/all`. */
  async markAllRead(roomId: string): Promise<void> {
    const path = `/v1/user/${seg(await this.me())}/rooms/${seg(roomId)}/unreadItems/all`;
    await this.send({ method: "DELETE", path, repeatable: true });
  }

  /** `GET /v1/user?q=`: Gitter users only (`type=gitter`). */
  async searchUsers(q: string, query: SearchQuery = {}): Promise<GitterUser[]> {
    const found = (await this.get("/v1/user", { q, type: "gitter", ...query }, checkResults(checkUser))) as GitterSearchResults<GitterUser>;
    return found.results;
  }

  /** `GET /v1/rooms?q=`: rooms across Gitter. */
  async searchRooms(q: string, query: SearchQuery = {}): Promise<GitterRoom[]> {
    const found = (await this.get("/v1/rooms", { q, ...query }, checkResults(checkRoom))) as GitterSearchResults<GitterRoom>;
    return found.results;
  }

  /** `GET /v1/users/:username`. 404 for unknown users. */
  async getUserByUsername(username: string): Promise<GitterUserProfile> {
    return (await this.get(`/v1/users/${seg(username)}`, undefined, PROFILE)) as GitterUserProfile;
  }

  /** The user's own id; the first call may cost one `GET /v1/user/me`. */
  private async me(): Promise<string> {
    return this.selfId ?? (await this.getCurrentUser()).id;
  }

  private get(path: string, query?: Query, expect?: Check): Promise<unknown> {
    return this.transport.request({ method: "GET", path, query, repeatable: true, expect });
  }

  private send(spec: RequestSpec): Promise<unknown> {
    return this.transport.request(spec);
  }
}
