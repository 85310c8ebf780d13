import type { Knex } from "knex";
import { canBeStored, toNumber } from "./rows";
import type { OAuthStateStore, StateCheck } from "./store";

interface StateRow {
  state: string;
  mxid: string;
  expires_at: number | string;
  used_at: number | string | null;
}

export class KnexOAuthStateStore implements OAuthStateStore {
  constructor(private readonly db: Knex) {}

  async createState(state: string, mxid: string, expiresAt: number): Promise<void> {
    await this.db("oauth_states").insert({ state, mxid, expires_at: expiresAt, used_at: null });
  }

  async peekState(state: string, now: number): Promise<StateCheck> {
    // The state comes from a URL anyone can call the bridge with.
    if (!canBeStored(state)) return { ok: false, reason: "unknown" };
    const row = await this.db<StateRow>("oauth_states").where({ state }).first();
    if (!row) return { ok: false, reason: "unknown" };
    if (row.used_at !== null) return { ok: false, reason: "used" };
    if (toNumber(row.expires_at) <= now) return { ok: false, reason: "expired" };
    return { ok: true, mxid: row.mxid };
  }

  async consumeState(state: string, now: number): Promise<StateCheck> {
    // mxid and expires_at never change, so reading them before the claim is safe.
    const check = await this.peekState(state, now);
    if (!check.ok) return check;
    // The conditional UPDATE is the whole guarantee: only one caller, in any process, can flip used_at.
    const claimed = await this.db("oauth_states")
      .where({ state })
      .whereNull("used_at")
      .where("expires_at", ">", now)
      .update({ used_at: now });
    return claimed === 1 ? check : { ok: false, reason: "used" };
  }

  async pruneStates(now: number): Promise<number> {
    return this.db("oauth_states").where("expires_at", "<", now).delete();
  }

  async discardStates(mxid: string): Promise<number> {
    return this.db("oauth_states").where({ mxid }).delete();
  }
}
