import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("ghosts", (t) => {
    t.string("gitter_user_id", 64).primary();
    t.string("username", 255).notNullable();
    t.text("display_name").notNullable();
    t.text("avatar_url").nullable();
    t.text("avatar_mxc").nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("ghosts");
}
