// Ghosts: the Matrix users standing for Gitter people. Registered on demand, profile (display name, avatar)
// kept in step with Gitter, the avatar uploaded once per distinct Gitter avatar URL.
import type { GitterUser } from "../gitter/types";
import { isMatrixError, type MatrixClient } from "../matrix/client";
import type { MatrixIds } from "../matrix/ids";
import type { Ghost, GhostStore } from "../store/store";
import { getLogger } from "../util/log";
import { fetchRemoteImage } from "../util/remote-image";

const log = getLogger("ghosts");

export interface GhostDeps {
  matrix: MatrixClient;
  ids: MatrixIds;
  store: GhostStore;
  /** Largest avatar accepted, in bytes. */
  maxAvatarBytes: number;
  /** Hosts whose avatars are fetched even from private addresses: the configured Gitter hosts. */
  trustedHosts: ReadonlySet<string>;
}

export class GhostManager {
  /** Profiles known to be current on the homeserver, by Gitter user id (this process only). */
  private readonly current = new Map<string, Ghost>();
  private readonly inFlight = new Map<string, Promise<string>>();
  /** Rooms each ghost is known to be joined to, with its current profile in the member event. */
  private readonly joined = new Map<string, Set<string>>();

  constructor(private readonly deps: GhostDeps) {}

  mxidFor(username: string): string {
    return this.deps.ids.ghostMxid(username);
  }

  /** Registers the ghost if needed and brings its profile up to date; returns its mxid. May throw. */
  async ensure(user: GitterUser): Promise<string> {
    const mxid = this.mxidFor(user.username);
    const known = this.current.get(user.id);
    if (known && known.displayName === displayName(user) && known.avatarUrl === (user.avatarUrl ?? null)) return mxid;
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

  /** The mxid of a Gitter user's ghost if one was ever registered (Gitter's leave events carry only the id). */
  async knownMxid(gitterUserId: string): Promise<string | null> {
    const ghost = this.current.get(gitterUserId) ?? (await this.deps.store.getGhost(gitterUserId));
    return ghost ? this.mxidFor(ghost.username) : null;
  }

  private async refresh(user: GitterUser, mxid: string): Promise<string> {
    const stored = await this.deps.store.getGhost(user.id);
    const ghost = this.deps.matrix.as(mxid);
    if (!stored) await this.deps.matrix.registerUser(this.deps.ids.ghostLocalpart(user.username));
    const next: Ghost = {
      gitterUserId: user.id,
      username: user.username,
      displayName: displayName(user),
      avatarUrl: user.avatarUrl ?? null,
      avatarMxc: stored?.avatarMxc ?? null,
    };
    let changed = false;
    if (!stored || stored.displayName !== next.displayName) {
      await ghost.setDisplayName(next.displayName);
      changed = true;
    }
    if (next.avatarUrl && (!stored || stored.avatarUrl !== next.avatarUrl || !stored.avatarMxc)) {
      next.avatarMxc = await this.uploadAvatar(next.avatarUrl);
      if (next.avatarMxc) await ghost.setAvatarUrl(next.avatarMxc);
      changed = true;
    }
    // The homeserver copies a new profile into room member events in the background, so a message sent right
    // away would still show the old name; joining each room again on its next use rewrites the event first.
    if (changed) this.joined.delete(mxid);
    await this.deps.store.putGhost(next);
    this.current.set(user.id, next);
    return mxid;
  }

  /** Fetches a Gitter avatar and uploads it; a failure leaves the ghost without an avatar, never blocks it. */
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

export function displayName(user: GitterUser): string {
  return user.displayName?.trim() || user.username;
}
