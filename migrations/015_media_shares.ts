import type { Knex } from "knex";

// Shared media becomes one row per sharing event, with who shared it, so that a redaction (of the message, or of
// the edit that added the file) or the sharer's logout can withdraw exactly their shares: the route serves a file
// while any share of it is left. Rows from shared_media keep being served until their sharer logs out: the owner
// is read from the portal they were shared in; the event that shared them was never recorded ('' here), so a
// redaction cannot reach them. A row whose portal is gone has no owner left to withdraw it and is not carried over.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("media_shares", (t) => {
    t.string("server_name", 255).notNullable();
    t.string("media_id", 255).notNullable();
    t.string("matrix_event_id", 255).notNullable();
    t.string("message_event_id", 255).notNullable();
    t.string("mxid", 255).notNullable();
    t.string("matrix_room_id", 255).notNullable();
    t.string("filename", 255).notNullable();
    t.string("mimetype", 255).nullable();
    t.bigInteger("shared_at").notNullable();
    t.primary(["server_name", "media_id", "matrix_event_id"]);
    t.index(["matrix_room_id", "message_event_id"]);
    t.index(["mxid"]);
  });
  await knex.raw(
    `INSERT INTO media_shares (server_name, media_id, matrix_event_id, message_event_id, mxid, matrix_room_id, filename, mimetype, shared_at)
     SELECT m.server_name, m.media_id, '', '', p.mxid, m.matrix_room_id, m.filename, m.mimetype, m.shared_at
     FROM shared_media m JOIN portals p ON p.matrix_room_id = m.matrix_room_id`,
  );
  await knex.schema.dropTable("shared_media");
}

// Rolling back keeps every shared file served: one row per file, its first share's, as the old table kept the first
// record of a file and ignored the rest.
export async function down(knex: Knex): Promise<void> {
  await knex.schema.createTable("shared_media", (t) => {
    t.string("server_name", 255).notNullable();
    t.string("media_id", 255).notNullable();
    t.string("filename", 255).notNullable();
    t.string("mimetype", 255).nullable();
    t.string("matrix_room_id", 255).notNullable();
    t.bigInteger("shared_at").notNullable();
    t.primary(["server_name", "media_id"]);
  });
  await knex.raw(
    `INSERT INTO shared_media (server_name, media_id, filename, mimetype, matrix_room_id, shared_at)
     SELECT s.server_name, s.media_id, s.filename, s.mimetype, s.matrix_room_id, s.shared_at
     FROM media_shares s
     WHERE NOT EXISTS (SELECT 1 FROM media_shares o WHERE o.server_name = s.server_name AND o.media_id = s.media_id
       AND (o.shared_at < s.shared_at OR (o.shared_at = s.shared_at AND o.matrix_event_id < s.matrix_event_id)))`,
  );
  await knex.schema.dropTable("media_shares");
}
