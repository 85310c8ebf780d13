import type { Knex } from "knex";

// Send intents: a Matrix message about to be posted to Gitter is written here before the POST and removed in the
// same transaction that records its message link. A row that survives a crash means "may or may not be on
// Gitter": the bridge looks in the room's history before posting it again.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("pending_sends", (t) => {
    t.string("matrix_event_id", 255).primary();
    t.string("mxid", 255).notNullable();
    t.string("matrix_room_id", 255).notNullable();
    t.string("gitter_room_id", 64).notNullable();
    t.text("text").notNullable();
    t.boolean("status").notNullable().defaultTo(false);
    t.string("parent_id", 64).nullable();
    t.bigInteger("created_at").notNullable();
    t.index(["mxid"]);
    t.index(["matrix_room_id"]);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("pending_sends");
}
