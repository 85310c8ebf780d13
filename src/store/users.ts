import type { Knex } from "knex";
import { lockRow, nullableString, toNumber } from "./rows";
import type { BridgeUser, GitterLogin, TokenRenewal, UserStore } from "./store";

interface UserRow {
  mxid: string;
  gitter_user_id: string | null;
  gitter_username: string | null;
  token_ciphertext: string | null;
  control_room_id: string | null;
  refresh_token_ciphertext: string | null;
  token_expires_at: number | string | null;
}

function fromRow(row: UserRow): BridgeUser {
  return {
    mxid: row.mxid,
    gitterUserId: nullableString(row.gitter_user_id),
    gitterUsername: nullableString(row.gitter_username),
    tokenCiphertext: nullableString(row.token_ciphertext),
    controlRoomId: nullableString(row.control_room_id),
    ...renewalFromRow(row),
  };
}

/** The renewal columns as the optional fields of a login (absent when null), for users and pending logins. */
export function renewalFromRow(row: { refresh_token_ciphertext: string | null; token_expires_at: number | string | null }): TokenRenewal {
  const refresh = nullableString(row.refresh_token_ciphertext);
  return {
    ...(refresh !== null ? { refreshTokenCiphertext: refresh } : {}),
    ...(row.token_expires_at !== null && row.token_expires_at !== undefined ? { tokenExpiresAt: toNumber(row.token_expires_at) } : {}),
  };
}

/** A login's renewal as columns: absent fields are written as null (a new login clears the old one's). */
export function renewalColumns(r: TokenRenewal): { refresh_token_ciphertext: string | null; token_expires_at: number | null } {
  return { refresh_token_ciphertext: r.refreshTokenCiphertext ?? null, token_expires_at: r.tokenExpiresAt ?? null };
}

export class KnexUserStore implements UserStore {
  constructor(private readonly db: Knex) {}

  async getUser(mxid: string): Promise<BridgeUser | null> {
    const row = await this.db<UserRow>("users").where({ mxid }).first();
    return row ? fromRow(row) : null;
  }

  async getUserByControlRoom(roomId: string): Promise<BridgeUser | null> {
    const row = await this.db<UserRow>("users").where({ control_room_id: roomId }).first();
    return row ? fromRow(row) : null;
  }

  async listLoggedInUsers(): Promise<BridgeUser[]> {
    const rows = await this.db<UserRow>("users").whereNotNull("token_ciphertext").orderBy("mxid");
    return rows.map(fromRow);
  }

  async setLogin(mxid: string, login: GitterLogin): Promise<void> {
    const values = {
      gitter_user_id: login.gitterUserId,
      gitter_username: login.gitterUsername,
      token_ciphertext: login.tokenCiphertext,
      ...renewalColumns(login),
    };
    await this.db("users")
      .insert({ mxid, ...values })
      .onConflict("mxid")
      .merge(values);
  }

  async clearLogin(mxid: string): Promise<void> {
    await this.db("users")
      .where({ mxid })
      .update({ gitter_user_id: null, gitter_username: null, token_ciphertext: null, ...renewalColumns({}) });
  }

  async renewLogin(mxid: string, previousCiphertext: string, next: TokenRenewal & { tokenCiphertext: string }): Promise<boolean> {
    const changed = await this.db("users")
      .where({ mxid, token_ciphertext: previousCiphertext })
      .update({ token_ciphertext: next.tokenCiphertext, ...renewalColumns(next) });
    return changed > 0;
  }

  async setControlRoom(mxid: string, roomId: string | null): Promise<string | null> {
    return this.db.transaction(async (trx) => {
      // Write first: it takes SQLite's write lock, and the row then exists for PostgreSQL's row lock, so two
      // processes setting the room at once each see the other's value as "previous", never the same one.
      await trx("users").insert({ mxid }).onConflict("mxid").ignore();
      const row = await lockRow(trx, trx<UserRow>("users").select("control_room_id").where({ mxid })).first();
      await trx("users").where({ mxid }).update({ control_room_id: roomId });
      return nullableString(row?.control_room_id);
    });
  }
}
