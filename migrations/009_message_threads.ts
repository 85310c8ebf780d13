import type { Knex } from "knex";

// The Gitter thread a bridged message belongs to (its root's id), so replies can be placed in the right thread in
// both directions and Matrix's thread fallback can point at the thread's latest message. NULL for top-level messages.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable("message_links", (t) => {
    t.string("gitter_thread_id", 64).nullable();
    t.index(["matrix_room_id", "gitter_thread_id"]);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable("message_links", (t) => {
    t.dropIndex(["matrix_room_id", "gitter_thread_id"]);
    t.dropColumn("gitter_thread_id");
  });
}
