import type { Knex } from "knex";

// Reactions bridged into or out of a portal: which Matrix `m.reaction` event stands for one user's reaction to one
// message on the network, so a removal on either side finds what to undo and an echo is told from a new reaction.
// A removed reaction keeps its row (`active` false) and counts its removals: a reaction added again is a new Matrix
// event, under a transaction id of its own.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("reaction_links", (t) => {
    t.string("matrix_room_id", 255).notNullable();
    t.string("network_message_id", 64).notNullable();
    t.string("network_user_id", 64).notNullable();
    t.string("reaction", 128).notNullable();
    t.string("matrix_event_id", 255).notNullable();
    t.string("direction", 32).notNullable();
    t.boolean("active").notNullable();
    t.integer("removals").notNullable().defaultTo(0);
    t.bigInteger("updated_at").notNullable();
    t.primary(["matrix_room_id", "network_message_id", "network_user_id", "reaction"]);
    t.index(["matrix_event_id"]);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("reaction_links");
}
