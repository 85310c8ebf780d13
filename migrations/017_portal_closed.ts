import type { Knex } from "knex";

// When a portal was closed (logout, the user left its Matrix room or the Gitter room): the row stays, so the same
// Gitter room opens the same Matrix room again, history and all. Null for a portal in use.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable("portals", (t) => {
    t.bigInteger("closed_at").nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable("portals", (t) => {
    t.dropColumn("closed_at");
  });
}
