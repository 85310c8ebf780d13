// Reactions bridged in either direction (reaction_links, migration 019): one row per (portal room, network message,
// network user, reaction), whichever side it came from.
import type { Knex } from "knex";
import { toBoolean, toNumber } from "./rows";
import type { Direction } from "./store";

/** One user's reaction to one network message, as a portal shows it. Ids are the network's own. */
export interface ReactionKey {
  matrixRoomId: string;
  messageId: string;
  userId: string;
  /** In the network's vocabulary (a Mattermost emoji name). */
  reaction: string;
}

export interface ReactionLink extends ReactionKey {
  /** The `m.reaction` event: the ghost's (network -> Matrix) or the owner's (Matrix -> network). */
  matrixEventId: string;
  direction: Direction;
  /** False once removed on either side; the row stays, so the event of a removed reaction is still known. */
  active: boolean;
  /** How many times the reaction was removed: the next Matrix send of it is named after this. */
  removals: number;
}

export interface ReactionStore {
  getReaction(key: ReactionKey): Promise<ReactionLink | null>;
  /** The reaction an `m.reaction` event stands for, active or removed. */
  reactionByMatrixEvent(matrixEventId: string): Promise<ReactionLink | null>;
  /** Records the reaction as present, shown by `matrixEventId` (insert, or update of a removed or earlier one). */
  recordReaction(key: ReactionKey, matrixEventId: string, direction: Direction): Promise<void>;
  /** Marks a present reaction removed, counting the removal; false (and nothing changed) when it was not present. */
  removeReaction(key: ReactionKey): Promise<boolean>;
}

interface ReactionRow {
  matrix_room_id: string;
  network_message_id: string;
  network_user_id: string;
  reaction: string;
  matrix_event_id: string;
  direction: string;
  active: unknown;
  removals: number | string;
}

const TABLE = "reaction_links";

function where(key: ReactionKey): Record<string, string> {
  return { matrix_room_id: key.matrixRoomId, network_message_id: key.messageId, network_user_id: key.userId, reaction: key.reaction };
}

function fromRow(row: ReactionRow): ReactionLink {
  return {
    matrixRoomId: row.matrix_room_id,
    messageId: row.network_message_id,
    userId: row.network_user_id,
    reaction: row.reaction,
    matrixEventId: row.matrix_event_id,
    direction: row.direction as Direction,
    active: toBoolean(row.active),
    removals: toNumber(row.removals),
  };
}

export class KnexReactionStore implements ReactionStore {
  constructor(private readonly db: Knex) {}

  async getReaction(key: ReactionKey): Promise<ReactionLink | null> {
    const row = await this.db<ReactionRow>(TABLE).where(where(key)).first();
    return row ? fromRow(row) : null;
  }

  async reactionByMatrixEvent(matrixEventId: string): Promise<ReactionLink | null> {
    const row = await this.db<ReactionRow>(TABLE).where({ matrix_event_id: matrixEventId }).first();
    return row ? fromRow(row) : null;
  }

  async recordReaction(key: ReactionKey, matrixEventId: string, direction: Direction): Promise<void> {
    const now = Date.now();
    await this.db(TABLE)
      .insert({ ...where(key), matrix_event_id: matrixEventId, direction, active: true, removals: 0, updated_at: now })
      .onConflict(["matrix_room_id", "network_message_id", "network_user_id", "reaction"])
      .merge({ matrix_event_id: matrixEventId, direction, active: true, updated_at: now });
  }

  async removeReaction(key: ReactionKey): Promise<boolean> {
    const changed = await this.db(TABLE)
      .where({ ...where(key), active: true })
      .update({ active: false, removals: this.db.raw("removals + 1"), updated_at: Date.now() });
    return changed > 0;
  }
}
