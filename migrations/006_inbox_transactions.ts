import type { Knex } from "knex";

// Homeserver transaction ids already accepted: the primary key is what makes a replay a no-op.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("inbox_transactions", (t) => {
    t.string("txn_id", 255).primary();
    t.bigInteger("received_at").notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("inbox_transactions");
}
