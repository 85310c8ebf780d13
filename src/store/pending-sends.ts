import type { Knex } from "knex";
import { insertLink } from "./messages";
import { nullableString, storableText, toBoolean, toNumber } from "./rows";
import type { MessageLink, PendingSendStore, SendIntent } from "./store";

interface IntentRow {
  matrix_event_id: string;
  mxid: string;
  matrix_room_id: string;
  gitter_room_id: string;
  text: string;
  status: boolean | number;
  parent_id: string | null;
  created_at: number | string;
  file_ids?: string | null;
}

/** The stored JSON array of file ids; anything else reads as none. */
function fileIdsOf(value: string | null | undefined): string[] {
  if (!value) return [];
  const parsed: unknown = JSON.parse(value);
  return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === "string") : [];
}

function fromRow(row: IntentRow): SendIntent {
  const intent: SendIntent = {
    matrixEventId: row.matrix_event_id,
    mxid: row.mxid,
    matrixRoomId: row.matrix_room_id,
    gitterRoomId: row.gitter_room_id,
    text: row.text,
    status: toBoolean(row.status),
    parentId: nullableString(row.parent_id),
    createdAt: toNumber(row.created_at),
  };
  const fileIds = fileIdsOf(row.file_ids);
  return fileIds.length ? { ...intent, fileIds } : intent;
}

export class KnexPendingSendStore implements PendingSendStore {
  constructor(private readonly db: Knex) {}

  async putIntent(intent: SendIntent): Promise<void> {
    await this.db("pending_sends")
      .insert({
        matrix_event_id: intent.matrixEventId,
        mxid: intent.mxid,
        matrix_room_id: intent.matrixRoomId,
        gitter_room_id: intent.gitterRoomId,
        text: storableText(intent.text),
        status: intent.status,
        parent_id: intent.parentId,
        created_at: intent.createdAt,
        file_ids: intent.fileIds?.length ? JSON.stringify(intent.fileIds) : null,
      })
      .onConflict("matrix_event_id")
      .ignore();
  }

  async getIntent(matrixEventId: string): Promise<SendIntent | null> {
    const row = await this.db<IntentRow>("pending_sends").where({ matrix_event_id: matrixEventId }).first();
    return row ? fromRow(row) : null;
  }

  async listIntents(mxid: string): Promise<SendIntent[]> {
    const rows = await this.db<IntentRow>("pending_sends").where({ mxid }).orderBy([{ column: "created_at" }, { column: "matrix_event_id" }]);
    return rows.map(fromRow);
  }

  async listIntentsInRoom(matrixRoomId: string): Promise<SendIntent[]> {
    const rows = await this.db<IntentRow>("pending_sends")
      .where({ matrix_room_id: matrixRoomId })
      .orderBy([{ column: "created_at" }, { column: "matrix_event_id" }]);
    return rows.map(fromRow);
  }

  async completeIntent(link: MessageLink): Promise<void> {
    await this.db.transaction(async (trx) => {
      await insertLink(trx, link);
      await trx("pending_sends").where({ matrix_event_id: link.matrixEventId }).delete();
    });
  }

  async dropIntent(matrixEventId: string): Promise<void> {
    await this.db("pending_sends").where({ matrix_event_id: matrixEventId }).delete();
  }
}
