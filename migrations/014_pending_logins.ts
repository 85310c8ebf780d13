import type { Knex } from "knex";

// Logins Gitter approved that wait for the Matrix account to send the code the approval page showed. The token
// is sealed as stored tokens are; the code is kept only as a hash. One row per Matrix account: a newer approval
// replaces an older one. A row lives minutes (expires_at) and goes when the code is sent, used up or expires.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("pending_logins", (t) => {
    t.string("mxid", 255).primary();
    t.string("code_hash", 64).notNullable();
    t.string("gitter_user_id", 64).notNullable();
    t.string("gitter_username", 255).notNullable();
    t.text("token_ciphertext").notNullable();
    t.integer("tries_left").notNullable();
    t.bigInteger("expires_at").notNullable().index();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("pending_logins");
}
