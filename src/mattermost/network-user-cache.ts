// The users the client looked up by id, kept only while the websocket that tells their changes is connected. The
// core looks up the author of every post it bridges (a post carries only its user_id); without this, every post
// cost a GET /users/{id}. The server tells every socket of a profile change: `user_updated`, to all users
// (mattermost/mattermost server/channels/app/user.go UpdateUser -> sendUpdatedUserEvent). So a user is forgotten on
// that event, and every user when the socket is not connected or may have missed events (a new connection, a gap):
// a lookup then asks the server again, as it always did.
import type { NetworkUser } from "../network/types";

/** A bound on the users kept: past it the cache starts again empty (a lookup costs one request, never a wrong user). */
const MAX_USERS = 10_000;

export class UserCache {
  private readonly users = new Map<string, NetworkUser>();
  private live = false;
  /** Bumped by every forget: a lookup that was under way meanwhile may have read the old profile, so it is not kept. */
  private generation = 0;

  /** The user, from the cache or from `fetch` (kept when the socket is live and nothing was forgotten meanwhile). */
  async get(userId: string, fetch: () => Promise<NetworkUser>): Promise<NetworkUser> {
    const known = this.users.get(userId);
    if (known) return known;
    const generation = this.generation;
    const user = await fetch();
    if (!this.live || generation !== this.generation) return user;
    if (this.users.size >= MAX_USERS) this.users.clear();
    this.users.set(userId, user);
    return user;
  }

  /**
   * The websocket connected (true) or is not connected (false). Either way what is kept may be stale (changes made
   * while it was away were not heard), so everything is forgotten; users are kept only while it is connected.
   */
  setLive(live: boolean): void {
    this.live = live;
    this.forget();
  }

  /** Forgets one user (their profile changed), or everyone (events may have been missed). */
  forget(userId?: string): void {
    this.generation++;
    if (userId === undefined) this.users.clear();
    else this.users.delete(userId);
  }
}
