import type { Knex } from "knex";
import { toNumber } from "./rows";
import type { Direction, MessageLink, MessageStore } from "./store";

interface LinkRow {
  matrix_room_id: string;
  matrix_event_id: string;
  gitter_room_id: string;
  gitter_message_id: string;
  direction: string;
  created_at: number | string;
  gitter_thread_id: string | null;
}

function fromRow(row: LinkRow): MessageLink {
  return {
    matrixRoomId: row.matrix_room_id,
    matrixEventId: row.matrix_event_id,
    gitterRoomId: row.gitter_room_id,
    gitterMessageId: row.gitter_message_id,
    direction: row.direction as Direction,
    createdAt: toNumber(row.created_at),
    ...(row.gitter_thread_id ? { gitterThreadId: row.gitter_thread_id } : {}),
  };
}

export class KnexMessageStore implements MessageStore {
  constructor(private readonly db: Knex) {}

  /**
   * First record wins: a link that reuses either the Matrix event or the (room, Gitter message) pair of an
   * existing link is ignored, so a retried send or a late echo can never re-point replies and edits.
   */
  async recordMessage(link: MessageLink): Promise<void> {
    await insertLink(this.db, link);
  }

  async byGitterMessage(matrixRoomId: string, gitterMessageId: string): Promise<MessageLink | null> {
    const row = await this.db<LinkRow>("message_links")
      .where({ matrix_room_id: matrixRoomId, gitter_message_id: gitterMessageId })
      .first();
    return row ? fromRow(row) : null;
  }

  async byMatrixEvent(matrixEventId: string): Promise<MessageLink | null> {
    const row = await this.db<LinkRow>("message_links").where({ matrix_event_id: matrixEventId }).first();
    return row ? fromRow(row) : null;
  }

  /** One query: the link itself, or the link a file event or added text of the same portal belongs to. */
  async messageOfMatrixEvent(matrixEventId: string): Promise<MessageLink | null> {
    const partOf = (table: string) =>
      this.db(`${table} as part`)
        .join("message_links as l", (on) => on.on("l.matrix_room_id", "part.matrix_room_id").andOn("l.gitter_message_id", "part.network_message_id"))
        .where("part.matrix_event_id", matrixEventId)
        .select("l.*");
    const row: LinkRow | undefined = await this.db("message_links as l")
      .where("l.matrix_event_id", matrixEventId)
      .select("l.*")
      .unionAll([partOf("message_files"), partOf("message_added_texts")])
      .first();
    return row ? fromRow(row) : null;
  }

  async latestInThread(matrixRoomId: string, gitterThreadId: string): Promise<MessageLink | null> {
    const row = await this.db<LinkRow>("message_links")
      .where({ matrix_room_id: matrixRoomId, gitter_thread_id: gitterThreadId })
      .orderBy("gitter_message_id", "desc")
      .first();
    return row ? fromRow(row) : null;
  }

  async recordFiles(matrixRoomId: string, gitterMessageId: string, matrixEventIds: string[]): Promise<void> {
    if (matrixEventIds.length === 0) return;
    const rows = matrixEventIds.map((eventId, position) => ({
      matrix_room_id: matrixRoomId,
      network_message_id: gitterMessageId,
      position,
      matrix_event_id: eventId,
    }));
    await this.db("message_files").insert(rows).onConflict().ignore();
  }

  async filesOf(matrixRoomId: string, gitterMessageId: string): Promise<string[]> {
    const rows: { matrix_event_id: string }[] = await this.db("message_files")
      .where({ matrix_room_id: matrixRoomId, network_message_id: gitterMessageId })
      .orderBy("position")
      .select("matrix_event_id");
    return rows.map((r) => r.matrix_event_id);
  }

  async recordAddedText(matrixRoomId: string, gitterMessageId: string, matrixEventId: string): Promise<void> {
    await this.db("message_added_texts")
      .insert({ matrix_room_id: matrixRoomId, network_message_id: gitterMessageId, matrix_event_id: matrixEventId })
      .onConflict()
      .ignore();
  }

  async addedTextOf(matrixRoomId: string, gitterMessageId: string): Promise<string | null> {
    const row: { matrix_event_id: string } | undefined = await this.db("message_added_texts")
      .where({ matrix_room_id: matrixRoomId, network_message_id: gitterMessageId })
      .first("matrix_event_id");
    return row?.matrix_event_id ?? null;
  }

  async forgetAddedText(matrixRoomId: string, gitterMessageId: string): Promise<void> {
    await this.db("message_added_texts").where({ matrix_room_id: matrixRoomId, network_message_id: gitterMessageId }).delete();
  }

  async forgetMessage(matrixRoomId: string, gitterMessageId: string): Promise<void> {
    await this.db.transaction(async (trx) => {
      const message = { matrix_room_id: matrixRoomId, network_message_id: gitterMessageId };
      await trx("message_links").where({ matrix_room_id: matrixRoomId, gitter_message_id: gitterMessageId }).delete();
      await trx("message_files").where(message).delete();
      await trx("message_added_texts").where(message).delete();
    });
  }
}

/** The ledger insert, shared with stores that record a link inside their own transaction. First record wins. */
export async function insertLink(db: Knex | Knex.Transaction, link: MessageLink): Promise<void> {
  await db("message_links")
    .insert({
      matrix_room_id: link.matrixRoomId,
      matrix_event_id: link.matrixEventId,
      gitter_room_id: link.gitterRoomId,
      gitter_message_id: link.gitterMessageId,
      direction: link.direction,
      created_at: link.createdAt,
      gitter_thread_id: link.gitterThreadId ?? null,
    })
    .onConflict()
    .ignore();
}
