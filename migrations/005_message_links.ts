import type { Knex } from "knex";

// The ledger that drops echoes and resolves replies/edits: one Matrix event per Gitter message per portal.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("message_links", (t) => {
    t.bigIncrements("id").primary();
    t.string("matrix_room_id", 255).notNullable();
    t.string("matrix_event_id", 255).notNullable().unique();
    t.string("gitter_room_id", 64).notNullable();
    t.string("gitter_message_id", 64).notNullable();
    t.string("direction", 32).notNullable();
    t.bigInteger("created_at").notNullable();
    t.unique(["matrix_room_id", "gitter_message_id"]);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("message_links");
}
