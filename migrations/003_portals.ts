import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("portals", (t) => {
    t.string("mxid", 255).notNullable();
    t.string("gitter_room_id", 64).notNullable();
    t.string("matrix_room_id", 255).notNullable().unique();
    t.boolean("one_to_one").notNullable().defaultTo(false);
    t.string("last_gitter_message_id", 64).nullable();
    t.primary(["mxid", "gitter_room_id"]);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("portals");
}
