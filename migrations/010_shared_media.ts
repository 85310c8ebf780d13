import type { Knex } from "knex";

// Matrix media a user shared to Gitter. The public media route serves only what is listed here, so it is never an
// open proxy onto the homeserver's media repository.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("shared_media", (t) => {
    t.string("server_name", 255).notNullable();
    t.string("media_id", 255).notNullable();
    t.string("filename", 255).notNullable();
    t.string("mimetype", 255).nullable();
    t.string("matrix_room_id", 255).notNullable();
    t.bigInteger("shared_at").notNullable();
    t.primary(["server_name", "media_id"]);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("shared_media");
}
