import { timingSafeEqual } from "node:crypto";
import type { Knex } from "knex";
import { canBeStored, lockRow, toNumber } from "./rows";
import type { PendingLogin, PendingLoginCheck, PendingLoginStore } from "./store";
import { renewalColumns, renewalFromRow } from "./users";

interface PendingRow {
  mxid: string;
  code_hash: string;
  gitter_user_id: string;
  gitter_username: string;
  token_ciphertext: string;
  tries_left: number | string;
  expires_at: number | string;
  refresh_token_ciphertext: string | null;
  token_expires_at: number | string | null;
}

function fromRow(row: PendingRow): PendingLogin {
  return {
    mxid: row.mxid,
    codeHash: row.code_hash,
    gitterUserId: row.gitter_user_id,
    gitterUsername: row.gitter_username,
    tokenCiphertext: row.token_ciphertext,
    ...renewalFromRow(row),
    triesLeft: toNumber(row.tries_left),
    expiresAt: toNumber(row.expires_at),
  };
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class KnexPendingLoginStore implements PendingLoginStore {
  constructor(private readonly db: Knex) {}

  async putPendingLogin(login: PendingLogin): Promise<void> {
    const values = {
      code_hash: login.codeHash,
      gitter_user_id: login.gitterUserId,
      gitter_username: login.gitterUsername,
      token_ciphertext: login.tokenCiphertext,
      tries_left: login.triesLeft,
      expires_at: login.expiresAt,
      ...renewalColumns(login),
    };
    await this.db("pending_logins")
      .insert({ mxid: login.mxid, ...values })
      .onConflict("mxid")
      .merge(values);
  }

  redeemPendingLogin(mxid: string, codeHash: string, now: number): Promise<PendingLoginCheck> {
    return this.db.transaction(async (trx) => {
      const rows = () => trx("pending_logins").where({ mxid });
      // Write first: it takes SQLite's write lock (PostgreSQL's row lock follows), so two handles redeeming at
      // once run one after the other and only one can see the row.
      await rows().update({ tries_left: trx.raw("tries_left") });
      const row = await lockRow(trx, trx<PendingRow>("pending_logins").where({ mxid })).first();
      if (!row) return { ok: false, reason: "none" };
      const login = fromRow(row);
      if (login.expiresAt <= now || login.triesLeft <= 0) {
        await rows().delete();
        return { ok: false, reason: "none" };
      }
      if (canBeStored(codeHash) && sameHash(login.codeHash, codeHash)) {
        await rows().delete();
        return { ok: true, login };
      }
      const triesLeft = login.triesLeft - 1;
      await (triesLeft > 0 ? rows().update({ tries_left: triesLeft }) : rows().delete());
      return { ok: false, reason: "wrong", triesLeft };
    });
  }

  async hasPendingLogin(mxid: string, now: number): Promise<boolean> {
    const row = await this.db("pending_logins").where({ mxid }).where("expires_at", ">", now).first("mxid");
    return row !== undefined;
  }

  async prunePendingLogins(now: number): Promise<number> {
    return this.db("pending_logins").where("expires_at", "<=", now).delete();
  }

  async discardPendingLogin(mxid: string): Promise<boolean> {
    return (await this.db("pending_logins").where({ mxid }).delete()) > 0;
  }
}
