import type { Knex } from "knex";

// The Matrix text event of a network message first shown by its file alone (a Mattermost post with only files,
// linked by its first file in message_links), sent when an edit gave the message text: later edits replace that
// event, emptying the text again or deleting the message redacts it. At most one per message and portal.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("message_added_texts", (t) => {
    t.string("matrix_room_id", 255).notNullable();
    t.string("network_message_id", 64).notNullable();
    t.string("matrix_event_id", 255).notNullable();
    t.primary(["matrix_room_id", "network_message_id"]);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("message_added_texts");
}
