import type { Knex } from "knex";

// The Matrix events of message_files and message_added_texts are looked up by themselves too (a reaction, reply or
// read receipt to a file or to added text reaches the network message they belong to), not only by their message.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable("message_files", (t) => t.index(["matrix_event_id"]));
  await knex.schema.alterTable("message_added_texts", (t) => t.index(["matrix_event_id"]));
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable("message_files", (t) => t.dropIndex(["matrix_event_id"]));
  await knex.schema.alterTable("message_added_texts", (t) => t.dropIndex(["matrix_event_id"]));
}
