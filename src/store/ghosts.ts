import type { Knex } from "knex";
import { nullableString, storableNullable, storableText } from "./rows";
import type { Ghost, GhostStore } from "./store";

interface GhostRow {
  gitter_user_id: string;
  username: string;
  display_name: string;
  avatar_url: string | null;
  avatar_mxc: string | null;
}

export class KnexGhostStore implements GhostStore {
  constructor(private readonly db: Knex) {}

  async getGhost(gitterUserId: string): Promise<Ghost | null> {
    const row = await this.db<GhostRow>("ghosts").where({ gitter_user_id: gitterUserId }).first();
    if (!row) return null;
    return {
      gitterUserId: row.gitter_user_id,
      username: row.username,
      displayName: row.display_name,
      avatarUrl: nullableString(row.avatar_url),
      avatarMxc: nullableString(row.avatar_mxc),
    };
  }

  /** Inserts or replaces every field of the ghost. */
  async putGhost(ghost: Ghost): Promise<void> {
    const values = {
      username: storableText(ghost.username),
      display_name: storableText(ghost.displayName),
      avatar_url: storableNullable(ghost.avatarUrl),
      avatar_mxc: storableNullable(ghost.avatarMxc),
    };
    await this.db("ghosts")
      .insert({ gitter_user_id: ghost.gitterUserId, ...values })
      .onConflict("gitter_user_id")
      .merge(values);
  }

  async putGhostId(localpart: string, username: string): Promise<void> {
    await this.db("ghost_ids").insert({ localpart, username_json: JSON.stringify(username) }).onConflict("localpart").ignore();
  }

  async ghostIdUsernames(): Promise<string[]> {
    const rows = await this.db<{ username_json: string }>("ghost_ids").select("username_json");
    return rows.map((r) => JSON.parse(r.username_json) as string);
  }
}
