// Typing both ways, on networks that have it (`capabilities.typing`). Matrix -> network: the homeserver pushes
// `m.typing` for the rooms our users are in (ephemeral, never recorded: a typing notice lost in a crash is only a
// notice); while a portal's owner is among those typing, the network hears it again every few seconds, as its
// own clients repeat it (Mattermost's fade otherwise), until Matrix says they stopped or its own timeout passes.
// Network -> Matrix: someone else's typing is shown by their ghost for a few seconds.
import { isMatrixError } from "../matrix/client";
import type { Store } from "../store/store";
import { getLogger } from "../util/log";
import type { SessionContext } from "./session-context";

const log = getLogger("typing");

/** How long a ghost shows typing after the network said so (Mattermost's clients repeat it every 5 s). */
export const GHOST_TYPING_MS = 6_000;
/** How often the owner's typing is told again while it lasts. */
const REPEAT_MS = 4_000;
/** Matrix clients renew their typing within 30 s while it lasts: past that, it is taken as stopped. */
const MATRIX_TYPING_MS = 30_000;

export interface TypingDeps {
  store: Store;
  /** The running session of a user, if any. */
  sessionOf(mxid: string): { ctx: SessionContext } | undefined;
}

interface Typing {
  timer: NodeJS.Timeout;
  until: number;
}

/** The owners' typing in their portals, to their networks. */
export class OwnerTyping {
  /** By Matrix room: the owner is typing there. */
  private readonly typing = new Map<string, Typing>();

  constructor(private readonly deps: TypingDeps) {}

  /** Handles the `m.typing` events of one transaction. Never throws (failures are logged). */
  onEvents(events: Record<string, unknown>[]): void {
    for (const event of events) {
      void this.onTyping(event).catch((err: Error) => log.warn("could not pass typing on", { room: String(event.room_id), error: err }));
    }
  }

  private async onTyping(event: Record<string, unknown>): Promise<void> {
    const roomId = event.room_id;
    const users = (event.content as { user_ids?: unknown } | undefined)?.user_ids;
    if (typeof roomId !== "string" || !Array.isArray(users)) return;
    const portal = await this.deps.store.portals.getPortalByMatrixRoom(roomId);
    const ctx = portal ? this.deps.sessionOf(portal.mxid)?.ctx : undefined;
    if (!portal || !ctx?.capabilities.typing) return;
    const tell = (typing: boolean) => ctx.network.typing(portal.gitterRoomId, typing);
    if (users.includes(portal.mxid)) return this.started(roomId, tell);
    if (this.stopped(roomId)) await tell(false);
  }

  private async started(roomId: string, tell: (typing: boolean) => Promise<void>): Promise<void> {
    const until = Date.now() + MATRIX_TYPING_MS;
    const known = this.typing.get(roomId);
    if (known) known.until = until;
    else {
      const timer = setInterval(() => {
        const now = this.typing.get(roomId);
        if (!now || Date.now() > now.until) return void this.stopped(roomId);
        void tell(true).catch((err: Error) => log.debug("could not repeat typing", { room: roomId, error: err }));
      }, REPEAT_MS);
      timer.unref();
      this.typing.set(roomId, { timer, until });
    }
    await tell(true);
  }

  /** Forgets the owner's typing in the room; true when they were typing. */
  private stopped(roomId: string): boolean {
    const known = this.typing.get(roomId);
    if (!known) return false;
    clearInterval(known.timer);
    this.typing.delete(roomId);
    return true;
  }
}

/**
 * Someone's typing in a portal's network room, shown by their ghost (the owner's own, from another client, is not:
 * the owner knows they are typing). Only a user whose ghost exists is shown; a ghost not in the room is skipped.
 * Never throws.
 */
export async function ghostTyping(ctx: SessionContext, matrixRoomId: string, userId: string, typing: boolean): Promise<void> {
  if (userId === ctx.network.self.id) return;
  try {
    const ghost = await ctx.ghosts.knownMxid(userId);
    if (ghost) await ctx.matrix.as(ghost).setTyping(matrixRoomId, typing, typing ? GHOST_TYPING_MS : undefined);
  } catch (err) {
    if (isMatrixError(err, "M_FORBIDDEN")) return;
    log.warn("could not show typing", { room: matrixRoomId, gitterUser: userId, error: err as Error });
  }
}
