// The Store contract on a SQLite file, plus what only the opening code decides: URL forms, SQLite pragmas,
// and startup failing clearly when a migration fails or the database is newer than the code.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { MIGRATIONS, type Migration } from "../../migrations";
import { parseConfig } from "../../src/config/load";
import { openKnex, parseDatabaseUrl, redactUrl } from "../../src/store/connection";
import { openStore, readMigrationStatus } from "../../src/store/knex-store";
import { configureLogging, type Level } from "../../src/util/log";
import { registerStoreContract } from "./store-contract";

const MINIMAL_CONFIG = `homeserver: { url: "http://127.0.0.1:8008", domain: example.org }
gitter: { oauth: { clientId: id, clientSecret: secret } }
web: { publicUrl: "http://127.0.0.1:9899" }
`;

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "store-sqlite-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const contractUrl = () => `sqlite:${path.join(dir, "contract", "bridge.db")}`;
registerStoreContract("sqlite file", () => openStore(contractUrl()), contractUrl);

describe("database URLs", () => {
  it("understands every accepted form", () => {
    assert.deepEqual(parseDatabaseUrl("sqlite::memory:"), { engine: "sqlite", filename: ":memory:" });
    assert.deepEqual(parseDatabaseUrl("sqlite:/var/lib/b.db"), { engine: "sqlite", filename: "/var/lib/b.db" });
    assert.deepEqual(parseDatabaseUrl("sqlite:///var/lib/b.db"), { engine: "sqlite", filename: "/var/lib/b.db" });
    assert.deepEqual(parseDatabaseUrl("sqlite:data/b.db"), { engine: "sqlite", filename: path.resolve("data/b.db") });
    assert.deepEqual(parseDatabaseUrl("data/b.db"), { engine: "sqlite", filename: path.resolve("data/b.db") });
    assert.deepEqual(parseDatabaseUrl("/abs/b.db"), { engine: "sqlite", filename: "/abs/b.db" });
    for (const url of ["postgres://u:p@h:5432/db", "postgresql://h/db"]) {
      assert.deepEqual(parseDatabaseUrl(url), { engine: "postgres", connectionString: url });
    }
  });

  it("refuses unknown schemes and empty names without echoing a password", () => {
    assert.throws(() => parseDatabaseUrl("mysql://root:hunter2@h/db"), (err: Error) => {
      assert.match(err.message, /Unsupported database URL scheme/);
      assert.ok(!err.message.includes("hunter2"));
      return true;
    });
    assert.throws(() => parseDatabaseUrl(""), /empty/);
    assert.throws(() => parseDatabaseUrl("sqlite:"), /names no SQLite file/);
    assert.equal(redactUrl("postgres://bridge:s3cret@db:5432/x"), "postgres://bridge:***@db:5432/x");
  });
});

describe("opening SQLite", () => {
  it("opens an in-memory database", async () => {
    const store = await openStore("sqlite::memory:");
    try {
      await store.refusals.refuseRoom("!r:x", "test");
      assert.equal(await store.refusals.isRefused("!r:x"), true);
      assert.equal((await store.migrationStatus()).current, true);
    } finally {
      await store.close();
    }
  });

  it("opens a relative sqlite: path and a plain path, creating parent folders", async () => {
    const relative = path.relative(process.cwd(), path.join(dir, "rel", "deep", "a.db"));
    for (const url of [`sqlite:${relative}`, path.join(dir, "plain", "deeper", "b.db")]) {
      const store = await openStore(url);
      await store.ghosts.putGhost({ gitterUserId: "1", username: "u", displayName: "U", avatarUrl: null, avatarMxc: null });
      await store.close();
    }
    assert.ok((await stat(path.join(dir, "rel", "deep", "a.db"))).isFile());
    assert.ok((await stat(path.join(dir, "plain", "deeper", "b.db"))).isFile());
  });

  it("sets WAL with synchronous=FULL, a busy timeout, foreign keys and secure_delete on every connection", async () => {
    const db = openKnex(parseDatabaseUrl(path.join(dir, "pragmas.db")));
    try {
      assert.deepEqual(await db.raw("PRAGMA journal_mode"), [{ journal_mode: "wal" }]);
      // 2 is FULL: the WAL is synced at every commit, so a commit survives a power cut.
      assert.deepEqual(await db.raw("PRAGMA synchronous"), [{ synchronous: 2 }]);
      assert.deepEqual(await db.raw("PRAGMA foreign_keys"), [{ foreign_keys: 1 }]);
      assert.deepEqual(await db.raw("PRAGMA secure_delete"), [{ secure_delete: 1 }]);
      const [timeout] = (await db.raw("PRAGMA busy_timeout")) as Record<string, number>[];
      assert.ok(Object.values(timeout!)[0]! >= 1000);
    } finally {
      await db.destroy();
    }
  });

  it("runs with synchronous=NORMAL only when the config's sqlite.synchronous says so", async () => {
    const file = path.join(dir, "synchronous.db");
    const configured = (yaml: string) => parseConfig(`${MINIMAL_CONFIG}${yaml}`, path.join(dir, "config.yaml")).sqlite;
    for (const [yaml, level] of [["", 2], ["sqlite: { synchronous: normal }\n", 1], ["sqlite: { synchronous: full }\n", 2]] as const) {
      const db = openKnex(parseDatabaseUrl(file), configured(yaml));
      try {
        assert.deepEqual(await db.raw("PRAGMA synchronous"), [{ synchronous: level }], yaml || "(default)");
        assert.deepEqual(await db.raw("PRAGMA journal_mode"), [{ journal_mode: "wal" }]);
      } finally {
        await db.destroy();
      }
    }
  });

  it("keeps a handled event's token neither in the database file nor in its write-ahead log", async () => {
    const file = path.join(dir, "wiped.db");
    const store = await openStore(file);
    try {
      const token = `tok-${Date.now().toString(36)}-wiped`;
      const event = { event_id: "$t", type: "m.room.message", room_id: "!c:x", content: { msgtype: "m.text", body: `login token ${token}` } };
      // Enough traffic around it that the token's page is written several times, as on a busy bridge.
      for (let i = 0; i < 50; i++) await store.inbox.acceptTransaction(`before-${i}`, [{ ...event, event_id: `$b${i}` }], 1);
      await store.inbox.acceptTransaction("t", [event], 2);
      const rows = await store.inbox.pendingEvents(100);
      assert.equal(rows.at(-1)?.event.event_id, "$t");
      for (const row of rows) await store.inbox.markProcessed(row.seq, { wipe: row.event.event_id === "$t" });
      // Read while the store is still open, as the bridge keeps it: closing would checkpoint the log anyway.
      const bytes = Buffer.concat([await readFile(file), await readFile(`${file}-wal`).catch(() => Buffer.alloc(0))]);
      assert.ok(bytes.length > 0);
      assert.equal(bytes.includes(token), false, "the token's text is in the database's files");
    } finally {
      await store.close();
    }
  });

  it("enforces the inbox foreign key", async () => {
    const file = path.join(dir, "fk.db");
    await (await openStore(file)).close();
    const db = openKnex(parseDatabaseUrl(file));
    try {
      const orphan = { txn_id: "never-accepted", event_id: "$o", event_json: "{}", received_at: 1, processed: false };
      await assert.rejects(db("inbox_events").insert(orphan), /FOREIGN KEY/);
    } finally {
      await db.destroy();
    }
  });
});

describe("migrations at startup", () => {
  const broken: Migration = {
    name: "009_broken",
    up: async (knex) => {
      await knex.schema.createTable("half_done", (t) => t.increments("id"));
      await knex.raw("THIS IS NOT SQL");
    },
    down: async () => undefined,
  };

  it("rejects naming the failing step, and leaves the schema as it was", async () => {
    const file = path.join(dir, "broken.db");
    await assert.rejects(openStore(file, [...MIGRATIONS, broken]), (err: Error) => {
      assert.match(err.message, /Database migration 009_broken failed/);
      return true;
    });
    const store = await openStore(file, [...MIGRATIONS.slice(0, 3)]);
    try {
      assert.deepEqual(await store.migrationStatus(), {
        current: true,
        applied: MIGRATIONS.slice(0, 3).map((m) => m.name),
        pending: [],
      });
    } finally {
      await store.close();
    }
    const db = openKnex(parseDatabaseUrl(file));
    try {
      assert.equal(await db.schema.hasTable("half_done"), false);
      assert.equal(await db.schema.hasTable("portals"), true);
      assert.equal(await db.schema.hasTable("ghosts"), false);
    } finally {
      await db.destroy();
    }
  });

  it("reports pending steps, then applies only those on the next start, logging each", async () => {
    const file = path.join(dir, "upgrade.db");
    assert.deepEqual(await readMigrationStatus(`sqlite:${file}`), {
      current: false,
      applied: [],
      pending: MIGRATIONS.map((m) => m.name),
    });
    await (await openStore(file, MIGRATIONS.slice(0, 5))).close();
    const expected = {
      current: false,
      applied: MIGRATIONS.slice(0, 5).map((m) => m.name),
      pending: MIGRATIONS.slice(5).map((m) => m.name),
    };
    assert.deepEqual(await readMigrationStatus(`sqlite:${file}`), expected);
    // Reading twice proves the first read applied nothing.
    assert.deepEqual(await readMigrationStatus(`sqlite:${file}`), expected);
    const lines: string[] = [];
    configureLogging({ format: "json", level: "info", sink: { write: (line) => lines.push(line) } });
    try {
      await (await openStore(file)).close();
    } finally {
      configureLogging({ sink: undefined, level: (process.env.LOG_LEVEL as Level | undefined) ?? "info" });
    }
    const steps = lines
      .map((line) => JSON.parse(line) as { msg: string; migration?: string })
      .filter((entry) => entry.msg === "migration step done")
      .map((entry) => entry.migration);
    assert.deepEqual(steps, MIGRATIONS.slice(5).map((m) => m.name));
  });

  it("refuses a database migrated by a newer version", async () => {
    const file = path.join(dir, "newer.db");
    const newer: Migration = { name: "999_future", up: async () => undefined, down: async () => undefined };
    await (await openStore(file, [...MIGRATIONS, newer])).close();
    await assert.rejects(openStore(file), /migrations this version does not know.*999_future/);
  });
});
