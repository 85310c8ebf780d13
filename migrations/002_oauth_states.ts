import type { Knex } from "knex";

// No foreign key to users: a login starts before the user row necessarily exists.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("oauth_states", (t) => {
    t.string("state", 255).primary();
    t.string("mxid", 255).notNullable();
    t.bigInteger("expires_at").notNullable().index();
    t.bigInteger("used_at").nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("oauth_states");
}
