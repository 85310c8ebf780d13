import type { Knex } from "knex";

// Usernames behind shortened ghost ids (a Gitter username too long for a Matrix id, see src/matrix/ids.ts). The
// id itself is derived from the username; this table lets the bridge map it back after a restart. The username
// is kept as a JSON string, so that characters no engine's text type holds (U+0000, a lone surrogate) survive.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("ghost_ids", (t) => {
    t.string("localpart", 255).primary();
    t.text("username_json").notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("ghost_ids");
}
