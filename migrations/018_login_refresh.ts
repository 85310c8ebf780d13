import type { Knex } from "knex";

// Logins on networks whose OAuth tokens expire (Mattermost) keep the refresh token, sealed like the access token,
// and when the access token expires, so the bridge renews it before it does. Null for tokens that do not expire
// (Gitter's, personal access tokens). A login waiting for its code carries them too.
export async function up(knex: Knex): Promise<void> {
  for (const table of ["users", "pending_logins"]) {
    await knex.schema.alterTable(table, (t) => {
      t.text("refresh_token_ciphertext").nullable();
      t.bigInteger("token_expires_at").nullable();
    });
  }
}

// The older code keeps using the access token until it expires; the person is then asked to log in again.
export async function down(knex: Knex): Promise<void> {
  for (const table of ["users", "pending_logins"]) {
    await knex.schema.alterTable(table, (t) => {
      t.dropColumn("refresh_token_ciphertext");
      t.dropColumn("token_expires_at");
    });
  }
}
