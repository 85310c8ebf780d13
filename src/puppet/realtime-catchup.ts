// Catching portals up after the network's stream said events may be lost without having delivered the missed
// messages itself (a Loss whose `messagesCaughtUp` is false, as Mattermost's websocket reports a gap). Each listed
// room is read with `historyAfter` from the newest message handed to its portal, and the messages go through the
// portal's normal path; the room's live messages wait meanwhile, so the portal takes them in order, each once.
// Gitter's stream catches up by itself (messagesCaughtUp), and nothing here runs for it.
import type { Loss } from "../network/realtime";
import type { Cursor, NetworkMessage } from "../network/types";
import { getLogger } from "../util/log";
import type { PortalRoom } from "./portal";
import { untilSessionDone } from "./retry";
import type { SessionContext } from "./session-context";

const log = getLogger("session");

const PAGE = 100;

export class RealtimeCatchUp {
  /** Per room, the cursor of the newest message handed to its portal. */
  private readonly handed = new Map<string, Cursor>();
  /** Rooms being caught up, with their live messages held meanwhile. */
  private readonly holding = new Map<string, NetworkMessage[]>();
  /** Rooms lost again while being caught up: read once more after. */
  private readonly again = new Set<string>();

  constructor(
    private readonly ctx: Pick<SessionContext, "network" | "lifetime" | "outageBackoff">,
    private readonly portal: (roomId: string) => PortalRoom | undefined,
  ) {}

  /** A live message: to its portal, or held while its room is caught up. */
  message(msg: NetworkMessage): void {
    const held = this.holding.get(msg.roomId);
    if (held) held.push(msg);
    else this.deliver(msg);
  }

  lost(loss: Loss): void {
    if (loss.messagesCaughtUp) return;
    for (const roomId of loss.rooms) {
      if (this.holding.has(roomId)) this.again.add(roomId);
      else void this.catchUp(roomId);
    }
  }

  private deliver(msg: NetworkMessage): void {
    const portal = this.portal(msg.roomId);
    if (!portal) return;
    this.handed.set(msg.roomId, msg.cursor);
    void portal.fromNetwork(msg).catch((err: Error) =>
      log.error("bridging a network message failed", { room: portal.matrixRoomId, gitterMessageId: msg.id, error: err }),
    );
  }

  private async catchUp(roomId: string): Promise<void> {
    const held: NetworkMessage[] = [];
    this.holding.set(roomId, held);
    const caught = new Set<string>();
    try {
      await this.readFrom(roomId, caught);
    } catch (err) {
      log.warn("could not catch a room up after a loss", { gitterRoom: roomId, error: err as Error });
    } finally {
      this.holding.delete(roomId);
      for (const m of held) if (!caught.has(m.id)) this.deliver(m);
    }
    if (this.again.delete(roomId) && !this.ctx.lifetime.aborted) void this.catchUp(roomId);
  }

  /** Hands every message after the room's newest one to its portal, page by page; outages waited out. */
  private async readFrom(roomId: string, caught: Set<string>): Promise<void> {
    let cursor = this.handed.get(roomId) ?? this.portal(roomId)?.row.lastGitterMessageId ?? null;
    while (cursor !== null && this.portal(roomId)) {
      const from: Cursor = cursor;
      const page = await untilSessionDone(this.ctx, () => this.ctx.network.historyAfter(roomId, from, PAGE));
      for (const m of page.messages) {
        caught.add(m.id);
        this.deliver(m);
      }
      if (!page.more || page.messages.length === 0) return;
      cursor = page.messages[page.messages.length - 1].cursor;
    }
  }
}
