import type { Knex } from "knex";
import { nullableString, toNumber } from "./rows";
import type { MediaStore, SharedMedia } from "./store";

interface MediaRow {
  server_name: string;
  media_id: string;
  filename: string;
  mimetype: string | null;
  matrix_room_id: string;
  shared_at: number | string;
}

export class KnexMediaStore implements MediaStore {
  constructor(private readonly db: Knex) {}

  async recordMedia(media: SharedMedia): Promise<void> {
    await this.db("shared_media")
      .insert({
        server_name: media.serverName,
        media_id: media.mediaId,
        filename: media.filename,
        mimetype: media.mimetype,
        matrix_room_id: media.matrixRoomId,
        shared_at: media.sharedAt,
      })
      .onConflict(["server_name", "media_id"])
      .ignore();
  }

  async getMedia(serverName: string, mediaId: string): Promise<SharedMedia | null> {
    const row = await this.db<MediaRow>("shared_media").where({ server_name: serverName, media_id: mediaId }).first();
    if (!row) return null;
    return {
      serverName: row.server_name,
      mediaId: row.media_id,
      filename: row.filename,
      mimetype: nullableString(row.mimetype),
      matrixRoomId: row.matrix_room_id,
      sharedAt: toNumber(row.shared_at),
    };
  }
}
