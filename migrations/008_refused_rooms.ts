import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("refused_rooms", (t) => {
    t.string("room_id", 255).primary();
    t.text("reason").notNullable();
    t.bigInteger("refused_at").notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("refused_rooms");
}
