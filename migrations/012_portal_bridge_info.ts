import type { Knex } from "knex";

// What bridge info (m.bridge state) the bridge last wrote into each portal, as a hash of its content: a start
// then checks it against the Gitter room instead of asking the homeserver for two state events per portal.
// Null means unknown (a portal from before this step): the state is read and put right once, then recorded.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable("portals", (t) => {
    t.string("bridge_info_hash", 64).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable("portals", (t) => {
    t.dropColumn("bridge_info_hash");
  });
}
