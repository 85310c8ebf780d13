// The portals' work, one queue per direction: serial per room within a direction, parallel across rooms and across
// directions. Order matters within a direction (a room's messages, and an edit or redaction after the message it
// changes, which crosses the same way), not between them: a Matrix message must not wait for its room's Gitter
// catch-up, nor a Gitter message for a slow post to Gitter. Where the two directions meet (the owner's own message
// coming back from Gitter while it is being posted), the outbox makes them take turns itself.
import type { Direction } from "../store/store";
import { KeyedQueue } from "../util/keyed-queue";

export class PortalQueues {
  private readonly queues: Record<Direction, KeyedQueue>;

  /** `concurrency`: tasks running at once per direction (default 8). */
  constructor(options: { concurrency?: number } = {}) {
    this.queues = {
      "gitter-to-matrix": new KeyedQueue(options),
      "matrix-to-gitter": new KeyedQueue(options),
    };
  }

  /**
   * Queues `task` behind the room's earlier tasks of the same direction. Never blocks; settles with the task's own
   * outcome (a caller that does not await it must attach a catch).
   */
  push<T>(direction: Direction, matrixRoomId: string, task: () => Promise<T>): Promise<T> {
    return this.queues[direction].push(matrixRoomId, task);
  }

  /** Per-room depth of each direction's queue, for metrics (the directions are the only labels). */
  depths(): Record<Direction, Map<string, number>> {
    return { "gitter-to-matrix": this.queues["gitter-to-matrix"].depths(), "matrix-to-gitter": this.queues["matrix-to-gitter"].depths() };
  }

  /** Resolves once neither direction has work waiting or running. Never rejects. */
  async idle(): Promise<void> {
    const all = Object.values(this.queues);
    // A task of one direction may queue work in the other after that one looked idle.
    while (all.some((q) => q.size > 0)) await Promise.all(all.map((q) => q.idle()));
  }
}
