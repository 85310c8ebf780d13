import type { Knex } from "knex";

// When a portal was closed (logout, the user left its Matrix room or the Gitter room): the row stays, so the same
// Gitter room opens the same Matrix room again, history and all. Null for a portal in use.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable("portals", (t) => {
    t.bigInteger("closed_at").nullable();
  });
}

// Without the column the older code takes every row for a portal in use: a closed one is dropped instead, so a
// session after the rollback does not resume a portal of a room its user left (the next open makes a new one).
export async function down(knex: Knex): Promise<void> {
  await knex("portals").whereNotNull("closed_at").delete();
  await knex.schema.alterTable("portals", (t) => {
    t.dropColumn("closed_at");
  });
}
