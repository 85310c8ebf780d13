import type { Knex } from "knex";

// The files a send intent posts with (the network's file ids, a JSON array), uploaded before the intent was recorded:
// a message left in flight is posted again with the same files, never without them nor with a second upload.
// Null for an intent with no files, as every intent recorded before this column has.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable("pending_sends", (t) => {
    t.text("file_ids").nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable("pending_sends", (t) => {
    t.dropColumn("file_ids");
  });
}
