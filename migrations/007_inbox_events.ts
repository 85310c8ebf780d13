import type { Knex } from "knex";

// Events are processed in seq order after the transaction is acknowledged; processed_at NULL means pending.
// event_id is nullable because ephemeral events carry none (NULLs never collide in a unique index).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("inbox_events", (t) => {
    t.bigIncrements("seq").primary();
    t.string("txn_id", 255).notNullable().references("txn_id").inTable("inbox_transactions").onDelete("CASCADE");
    t.string("event_id", 255).nullable().unique();
    t.text("event_json").notNullable();
    t.bigInteger("received_at").notNullable();
    t.boolean("processed").notNullable().defaultTo(false);
    t.bigInteger("processed_at").nullable();
    t.index(["processed", "seq"]);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("inbox_events");
}
