import type { Knex } from "knex";

// Matrix ids are at most 255 bytes by spec, so string(255) holds every id we store.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("users", (t) => {
    t.string("mxid", 255).primary();
    t.string("gitter_user_id", 64).nullable();
    t.string("gitter_username", 255).nullable();
    t.text("token_ciphertext").nullable();
    // One control room belongs to one user: a lookup by room must never be ambiguous.
    t.string("control_room_id", 255).nullable().unique();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("users");
}
