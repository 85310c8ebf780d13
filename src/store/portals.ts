import type { Knex } from "knex";
import { nullableString, toBoolean } from "./rows";
import type { Portal, PortalStore } from "./store";

interface PortalRow {
  mxid: string;
  gitter_room_id: string;
  matrix_room_id: string;
  one_to_one: boolean | number;
  last_gitter_message_id: string | null;
  bridge_info_hash: string | null;
  closed_at?: number | string | null;
}

function fromRow(row: PortalRow): Portal {
  return {
    mxid: row.mxid,
    gitterRoomId: row.gitter_room_id,
    matrixRoomId: row.matrix_room_id,
    oneToOne: toBoolean(row.one_to_one),
    lastGitterMessageId: nullableString(row.last_gitter_message_id),
    bridgeInfoHash: nullableString(row.bridge_info_hash),
  };
}

export class KnexPortalStore implements PortalStore {
  constructor(private readonly db: Knex) {}

  /** The portals in use: closed ones are only for getClosedPortal. */
  private open(): Knex.QueryBuilder<PortalRow, PortalRow[]> {
    return this.db<PortalRow>("portals").whereNull("closed_at");
  }

  async getPortal(mxid: string, gitterRoomId: string): Promise<Portal | null> {
    const row = await this.open().where({ mxid, gitter_room_id: gitterRoomId }).first();
    return row ? fromRow(row) : null;
  }

  async getClosedPortal(mxid: string, gitterRoomId: string): Promise<Portal | null> {
    const row = await this.db<PortalRow>("portals").where({ mxid, gitter_room_id: gitterRoomId }).whereNotNull("closed_at").first();
    return row ? fromRow(row) : null;
  }

  async getPortalByMatrixRoom(matrixRoomId: string): Promise<Portal | null> {
    const row = await this.open().where({ matrix_room_id: matrixRoomId }).first();
    return row ? fromRow(row) : null;
  }

  async listPortals(mxid: string): Promise<Portal[]> {
    const rows = await this.open().where({ mxid }).orderBy("gitter_room_id");
    // One copy of the Matrix id for all of a user's portals, which stay in memory while the session runs.
    return rows.map((row) => ({ ...fromRow(row), mxid }));
  }

  /** Rejects when another portal already uses the Matrix room (the column is unique). */
  async putPortal(portal: Portal): Promise<void> {
    const values = {
      matrix_room_id: portal.matrixRoomId,
      one_to_one: portal.oneToOne,
      last_gitter_message_id: portal.lastGitterMessageId,
      closed_at: null,
      ...(portal.bridgeInfoHash !== undefined && { bridge_info_hash: portal.bridgeInfoHash }),
    };
    await this.db("portals")
      .insert({ mxid: portal.mxid, gitter_room_id: portal.gitterRoomId, ...values })
      .onConflict(["mxid", "gitter_room_id"])
      .merge(values);
  }

  async advanceCursor(mxid: string, gitterRoomId: string, gitterMessageId: string): Promise<void> {
    // Gitter ids are ObjectIds: 24 lower-case hex digits, time first. Equal-length strings of [0-9a-f] sort the
    // same under every collation, so one conditional UPDATE orders them by time and is atomic across processes.
    await this.db("portals")
      .where({ mxid, gitter_room_id: gitterRoomId })
      .andWhere((q) => q.whereNull("last_gitter_message_id").orWhere("last_gitter_message_id", "<", gitterMessageId))
      .update({ last_gitter_message_id: gitterMessageId });
  }

  async closePortal(mxid: string, gitterRoomId: string, now: number): Promise<void> {
    await this.db("portals").where({ mxid, gitter_room_id: gitterRoomId }).whereNull("closed_at").update({ closed_at: now });
  }

  async deletePortal(mxid: string, gitterRoomId: string): Promise<void> {
    await this.db("portals").where({ mxid, gitter_room_id: gitterRoomId }).delete();
  }

  async setBridgeInfoHash(mxid: string, gitterRoomId: string, hash: string): Promise<void> {
    await this.db("portals").where({ mxid, gitter_room_id: gitterRoomId }).update({ bridge_info_hash: hash });
  }
}
