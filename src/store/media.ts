import type { Knex } from "knex";
import { nullableString, storableText, toNumber } from "./rows";
import type { MediaStore, SharedMedia } from "./store";

interface MediaRow {
  server_name: string;
  media_id: string;
  matrix_event_id: string;
  message_event_id: string;
  mxid: string;
  filename: string;
  mimetype: string | null;
  matrix_room_id: string;
  shared_at: number | string;
}

const TABLE = "media_shares";

/** The columns' width: PostgreSQL refuses a longer value, SQLite would keep it. */
const MAX_CHARS = 255;

/** A file name cut to the column's width, in whole characters (never half a surrogate pair). */
function storableFileName(name: string): string {
  const chars = Array.from(storableText(name));
  return chars.length > MAX_CHARS ? chars.slice(0, MAX_CHARS).join("") : chars.join("");
}

/** The sender's mimetype is only a hint: one that cannot be a media type (too long, control characters) is dropped. */
function storableMimetype(mimetype: string | null): string | null {
  if (mimetype === null || Array.from(mimetype).length > MAX_CHARS) return null;
  return /[\u0000-\u001f\u007f]/.test(mimetype) ? null : mimetype;
}

export class KnexMediaStore implements MediaStore {
  constructor(private readonly db: Knex) {}

  /**
   * First record per file and event wins. A file name longer than 255 characters is cut there; a mimetype that
   * cannot be one is stored as null. May throw (database unreachable).
   */
  async recordMedia(media: SharedMedia): Promise<void> {
    await this.db(TABLE)
      .insert({
        server_name: media.serverName,
        media_id: media.mediaId,
        matrix_event_id: media.matrixEventId,
        message_event_id: media.messageEventId,
        mxid: media.mxid,
        filename: storableFileName(media.filename),
        mimetype: storableMimetype(media.mimetype),
        matrix_room_id: media.matrixRoomId,
        shared_at: media.sharedAt,
      })
      .onConflict(["server_name", "media_id", "matrix_event_id"])
      .ignore();
  }

  async getMedia(serverName: string, mediaId: string): Promise<SharedMedia | null> {
    const row = await this.db<MediaRow>(TABLE)
      .where({ server_name: serverName, media_id: mediaId })
      .orderBy([{ column: "shared_at" }, { column: "matrix_event_id" }])
      .first();
    if (!row) return null;
    return {
      serverName: row.server_name,
      mediaId: row.media_id,
      filename: row.filename,
      mimetype: nullableString(row.mimetype),
      matrixRoomId: row.matrix_room_id,
      matrixEventId: row.matrix_event_id,
      messageEventId: row.message_event_id,
      mxid: row.mxid,
      sharedAt: toNumber(row.shared_at),
    };
  }

  async unshareEvent(matrixRoomId: string, eventId: string): Promise<number> {
    // '' marks a share recorded before events were: no redaction names it.
    if (eventId === "") return 0;
    return this.db(TABLE)
      .where({ matrix_room_id: matrixRoomId })
      .andWhere((q) => q.where({ matrix_event_id: eventId }).orWhere({ message_event_id: eventId }))
      .delete();
  }

  async unshareUser(mxid: string): Promise<number> {
    return this.db(TABLE).where({ mxid }).delete();
  }
}
