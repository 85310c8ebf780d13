import type { Knex } from "knex";

// The Matrix events a network message's files became (Mattermost's file_ids; one event each, in order, after the
// text event that message_links holds), so deleting the message on the network redacts every one of them.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("message_files", (t) => {
    t.string("matrix_room_id", 255).notNullable();
    t.string("network_message_id", 64).notNullable();
    t.integer("position").notNullable();
    t.string("matrix_event_id", 255).notNullable();
    t.primary(["matrix_room_id", "network_message_id", "position"]);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("message_files");
}
