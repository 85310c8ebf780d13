import type { Knex } from "knex";
import { storableText } from "./rows";
import type { RoomRefusalStore } from "./store";

export class KnexRoomRefusalStore implements RoomRefusalStore {
  constructor(private readonly db: Knex) {}

  /** Refusing a room again keeps it refused and replaces the reason. */
  async refuseRoom(roomId: string, reason: string): Promise<void> {
    await this.db("refused_rooms")
      .insert({ room_id: roomId, reason: storableText(reason), refused_at: Date.now() })
      .onConflict("room_id")
      .merge(["reason"]);
  }

  async isRefused(roomId: string): Promise<boolean> {
    const row = await this.db("refused_rooms").select("room_id").where({ room_id: roomId }).first();
    return row !== undefined;
  }
}
