// Ghosts: the Matrix users standing for the network's people. Registered on demand, named after their username,
// profile (display name, avatar) kept in step with the network, the avatar uploaded once per distinct avatar URL. A profile the homeserver
// refuses never stops a message: the ghost posts under its old (or default) profile, the refusal is logged once,
// and the profile is tried again later (after PROFILE_RETRY_MS, or on the next start).
import { renderDisplayName } from "../convert/display-name";
import { isMatrixError, type MatrixClient } from "../matrix/client";
import type { MatrixIds } from "../matrix/ids";
import type { NetworkUser } from "../network/types";
import type { Ghost, GhostStore } from "../store/store";
import { getLogger } from "../util/log";
import { fetchRemoteImage } from "../util/remote-image";

const log = getLogger("ghosts");
/** How long a profile the homeserver refused waits before it is tried again in this process. */
const PROFILE_RETRY_MS = 15 * 60_000;

export interface GhostDeps {
  matrix: MatrixClient;
  ids: MatrixIds;
  store: GhostStore;
  /** Largest avatar accepted, in bytes. */
  maxAvatarBytes: number;
  /** Hosts whose avatars are fetched even from private addresses: the configured Gitter hosts. */
  trustedHosts: ReadonlySet<string>;
  /** `bridge.displayNameTemplate`, already checked. */
  displayNameTemplate: string;
}

export class GhostManager {
  /** Profiles last brought to the homeserver (or tried, see profileRetry), by network user id (this process only). */
  private readonly current = new Map<string, Ghost>();
  /** Network user ids whose profile the homeserver refused, with when to try again. */
  private readonly profileRetry = new Map<string, number>();
  /** Shortened ghost ids recorded in the store (or being recorded), by username. */
  private readonly recorded = new Map<string, Promise<void>>();
  private readonly inFlight = new Map<string, Promise<string>>();
  /** Rooms each ghost is known to be joined to, with its current profile in the member event. */
  private readonly joined = new Map<string, Set<string>>();

  constructor(private readonly deps: GhostDeps) {}

  /** Teaches the ids every stored shortened ghost id, so they map back to their usernames. Call once on start. */
  async loadIds(): Promise<void> {
    const usernames = await this.deps.store.ghostIdUsernames();
    for (const username of usernames) {
      this.deps.ids.learn(username);
      this.recorded.set(username, Promise.resolve());
    }
    if (usernames.length > 0) log.info("learnt shortened ghost ids", { count: usernames.length });
  }

  /** The ghost's mxid; a shortened one is recorded in the store in the background, so it maps back later. */
  mxidFor(username: string): string {
    const mxid = this.deps.ids.ghostMxid(username);
    void this.recordId(username).catch((err: unknown) => log.warn("could not record a ghost id", { ghost: mxid, error: err as Error }));
    return mxid;
  }

  /** The display name the ghost shows for `user`: cleaned, templated, capped. */
  displayNameOf(user: Pick<NetworkUser, "username" | "displayName">): string {
    return renderDisplayName(this.deps.displayNameTemplate, user);
  }

  /**
   * Registers the ghost if needed and brings its profile up to date; returns its mxid. A profile the homeserver
   * refuses is no failure here (see the file's head). May throw when the homeserver or the store is unreachable.
   */
  async ensure(user: NetworkUser): Promise<string> {
    const mxid = this.mxidFor(user.username);
    const known = this.current.get(user.id);
    const wanted = known && known.displayName === this.displayNameOf(user) && known.avatarUrl === (user.avatarUrl ?? null);
    if (wanted && !this.profileRetryDue(user.id)) return mxid;
    let pending = this.inFlight.get(user.id);
    if (!pending) {
      pending = this.refresh(user, mxid).finally(() => this.inFlight.delete(user.id));
      this.inFlight.set(user.id, pending);
    }
    return pending;
  }

  /**
   * Makes the ghost a joined member of `roomId`, invited by the bot if needed, with its current profile in
   * the room (joining again after a profile change rewrites the member event at once). May throw.
   */
  async ensureInRoom(mxid: string, roomId: string): Promise<void> {
    if (this.joined.get(mxid)?.has(roomId)) return;
    const ghost = this.deps.matrix.as(mxid);
    try {
      await ghost.join(roomId);
    } catch (err) {
      if (!isMatrixError(err, "M_FORBIDDEN")) throw err;
      await this.deps.matrix.as(this.deps.ids.botMxid).invite(roomId, mxid);
      await ghost.join(roomId);
    }
    this.noteJoined(roomId, [mxid]);
  }

  /** Records memberships learnt elsewhere (room creation, joined-members listing). */
  noteJoined(roomId: string, mxids: Iterable<string>): void {
    for (const mxid of mxids) {
      const rooms = this.joined.get(mxid) ?? new Set<string>();
      rooms.add(roomId);
      this.joined.set(mxid, rooms);
    }
  }

  /** Makes the ghost leave `roomId`; a ghost that was not in the room is fine. May throw on other failures. */
  async leaveRoom(mxid: string, roomId: string): Promise<void> {
    this.joined.get(mxid)?.delete(roomId);
    try {
      await this.deps.matrix.as(mxid).leave(roomId);
    } catch (err) {
      if (!isMatrixError(err, "M_FORBIDDEN")) throw err;
    }
  }

  /** The mxid of a user's ghost if one was ever registered (Gitter's leave events carry only the user's id). */
  async knownMxid(gitterUserId: string): Promise<string | null> {
    const ghost = this.current.get(gitterUserId) ?? (await this.deps.store.getGhost(gitterUserId));
    return ghost ? this.mxidFor(ghost.username) : null;
  }

  private async refresh(user: NetworkUser, mxid: string): Promise<string> {
    const stored = await this.deps.store.getGhost(user.id);
    if (!stored) {
      await this.recordId(user.username);
      await this.deps.matrix.registerUser(this.deps.ids.ghostLocalpart(user.username));
    }
    const wanted: Ghost = {
      gitterUserId: user.id,
      username: user.username,
      displayName: this.displayNameOf(user),
      avatarUrl: user.avatarUrl ?? null,
      avatarMxc: stored?.avatarMxc ?? null,
    };
    const { applied, changed } = await this.applyProfile(mxid, stored, wanted);
    // The homeserver copies a new profile into room member events in the background, so a message sent right
    // away would still show the old name; joining each room again on its next use rewrites the event first.
    if (changed) this.joined.delete(mxid);
    // The store keeps what the homeserver holds, so a refused profile is tried again on the next start.
    await this.deps.store.putGhost(applied);
    this.current.set(user.id, wanted);
    return mxid;
  }

  /** Sets what differs from `stored`; returns what the homeserver now holds. Throws only on transient failures. */
  private async applyProfile(mxid: string, stored: Ghost | null, wanted: Ghost): Promise<{ applied: Ghost; changed: boolean }> {
    const ghost = this.deps.matrix.as(mxid);
    const applied: Ghost = { ...wanted, displayName: stored?.displayName ?? "" };
    let changed = false;
    let refusal: unknown = null;
    if (!stored || stored.displayName !== wanted.displayName) {
      const err = await refused(ghost.setDisplayName(wanted.displayName));
      if (err) refusal = err;
      else [applied.displayName, changed] = [wanted.displayName, true];
    }
    if (wanted.avatarUrl && (!stored || stored.avatarUrl !== wanted.avatarUrl || !stored.avatarMxc)) {
      const mxc = await this.uploadAvatar(wanted.avatarUrl);
      const err = mxc ? await refused(ghost.setAvatarUrl(mxc)) : null;
      if (err) [refusal, applied.avatarUrl, applied.avatarMxc] = [refusal ?? err, stored?.avatarUrl ?? null, stored?.avatarMxc ?? null];
      else [applied.avatarMxc, changed] = [mxc, changed || mxc !== null];
    }
    this.noteProfileOutcome(wanted, mxid, refusal);
    return { applied, changed };
  }

  /** Logs a refusal once per ghost (until a profile is accepted again) and schedules the next try. */
  private noteProfileOutcome(wanted: Ghost, mxid: string, refusal: unknown): void {
    const userId = wanted.gitterUserId;
    if (refusal === null) {
      this.profileRetry.delete(userId);
      return;
    }
    const again = this.profileRetry.has(userId);
    this.profileRetry.set(userId, Date.now() + PROFILE_RETRY_MS);
    const fields = { ghost: mxid, gitterUserId: userId, displayName: wanted.displayName, error: refusal as Error };
    if (again) log.debug("the homeserver refused the ghost's profile again", fields);
    else log.warn("the homeserver refused the ghost's profile; its messages are bridged regardless", fields);
  }

  private profileRetryDue(gitterUserId: string): boolean {
    const at = this.profileRetry.get(gitterUserId);
    return at !== undefined && Date.now() >= at;
  }

  /** Stores the username behind a shortened ghost id, once per process; a failure is tried again next time. */
  private recordId(username: string): Promise<void> {
    if (!this.deps.ids.isShortened(username)) return Promise.resolve();
    let pending = this.recorded.get(username);
    if (!pending) {
      pending = this.deps.store.putGhostId(this.deps.ids.ghostLocalpart(username), username);
      pending.catch(() => this.recorded.delete(username));
      this.recorded.set(username, pending);
    }
    return pending;
  }

  /** Fetches a network avatar and uploads it; a failure leaves the ghost without an avatar, never blocks it. */
  private async uploadAvatar(url: string): Promise<string | null> {
    try {
      const opts = { maxBytes: this.deps.maxAvatarBytes, timeoutMs: 10_000, trustedHosts: this.deps.trustedHosts };
      const { bytes, mimetype } = await fetchRemoteImage(url, opts);
      return await this.deps.matrix.uploadMedia(bytes, mimetype, "avatar");
    } catch (err) {
      log.warn("could not copy a Gitter avatar", { url, error: err as Error });
      return null;
    }
  }
}

/**
 * Resolves to the error when the homeserver refused the request for good (a 4xx other than rate limiting),
 * to null when it succeeded; rejects on transient failures, which the caller's retry covers.
 */
async function refused(request: Promise<void>): Promise<unknown> {
  try {
    await request;
    return null;
  } catch (err) {
    const permanent = isMatrixError(err) && err.status >= 400 && err.status < 500 && err.errcode !== "M_LIMIT_EXCEEDED";
    if (!permanent) throw err;
    return err;
  }
}
