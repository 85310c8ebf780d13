// A token pasted to the bot (`login token <token>`) must not stay readable in the database: the bridge serving
// Mattermost as an operator runs it (its own process, SQLite, logging at debug), the homeserver stub handing it
// the message as a transaction, the Mattermost emulator taking the token. Once the message is handled, the token's
// text is in no table, in neither the database file nor its write-ahead log, and in no log line; a message stored
// but not handled when the bridge is killed is handled once after the restart, then forgotten the same way.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Knex } from "knex";
import YAML from "yaml";
import { openKnex, parseDatabaseUrl } from "../../src/store/connection";
import { startHomeserverStub, type HomeserverStub } from "../harness/hs-stub";
import { sample, scrape } from "../harness/prom";
import { openSeeder } from "../harness/seed";
import { eventually, startBridge, writeBridgeFiles, type BridgeFiles, type BridgeProcess } from "../harness/stack";
import { startMm, type MmApi } from "./mm-emulator-helpers";

const BOT = "@mattermost:localhost";
const ALICE = "@alice:localhost";
const CONTROL = "!alice-control:localhost";

describe("a token sent to the bot, once handled, is not readable in the database", { timeout: 180_000 }, () => {
  let dir: string;
  let mm: MmApi;
  let hs: HomeserverStub;
  let files: BridgeFiles;
  let bridge: BridgeProcess;
  /** Everything every bridge process of the test printed (whole, so that no line is cut where a chunk ends). */
  let output = "";
  /** While set, the homeserver holds its answer to redactions back: the bot's handler waits on it. */
  let holdRedactions = false;
  let seq = 0;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "login-token-scrub-"));
    mm = await startMm({ rateLimit: false });
    hs = await startHomeserverStub({ delayMs: (_route, p) => (holdRedactions && p.includes("/redact/") ? 10_000 : undefined) });
    files = await writeBridgeFiles({ dir, homeserverUrl: hs.url, domain: "localhost", mattermostUrl: mm.emu.url, logLevel: "debug" });
    const seeder = await openSeeder(dir);
    await seeder.store.users.setControlRoom(ALICE, CONTROL);
    await seeder.store.close();
    bridge = await startAndWait();
  });

  after(async () => {
    await bridge?.stop();
    await hs?.stop();
    await mm?.emu.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function startAndWait(): Promise<BridgeProcess> {
    const started = startBridge(files);
    for (const stream of [started.proc.stdout!, started.proc.stderr!]) stream.on("data", (c: Buffer) => (output += c.toString()));
    await started.waitForLine(/bridge started/);
    return started;
  }

  const dbFile = () => path.join(dir, "data", "bridge.db");
  const newToken = async () => (await mm.control<{ token: string }>("POST", "/tokens", { user: "alice" })).token;

  /** Hands the bridge Alice's `body` in her control room, as the homeserver does; resolves once it is recorded. */
  async function push(body: string, eventId = `$scrub-${++seq}`): Promise<string> {
    const hsToken = (YAML.parse(readFileSync(files.registrationPath, "utf8")) as { hs_token: string }).hs_token;
    const event = { type: "m.room.message", room_id: CONTROL, sender: ALICE, event_id: eventId, content: { msgtype: "m.text", body } };
    await hs.pushTransaction(`http://127.0.0.1:${files.asPort}`, hsToken, [event]);
    return eventId;
  }

  const answers = () => hs.sends.filter((s) => s.roomId === CONTROL && s.userId === BOT).map((s) => String(s.content.body));

  async function handled(): Promise<void> {
    await eventually(async () => sample(await scrape(`http://127.0.0.1:${files.webPort}`), "gitter_bridge_inbox_pending_events") === 0, "the inbox handled");
  }

  /** The database's files, the write-ahead log included, as they are on disk now. */
  async function fileBytes(): Promise<Buffer> {
    const wal = await readFile(`${dbFile()}-wal`).catch(() => Buffer.alloc(0));
    return Buffer.concat([await readFile(dbFile()), wal]);
  }

  /** Runs `work` on a connection of its own to the bridge's database, as an operator's tool would. */
  async function onDatabase<T>(work: (db: Knex) => Promise<T>): Promise<T> {
    const db = openKnex(parseDatabaseUrl(dbFile()));
    try {
      return await work(db);
    } finally {
      await db.destroy();
    }
  }

  /** Every row of every table. */
  async function everyTable(): Promise<string> {
    return onDatabase(async (db) => {
      const tables: Array<{ name: string }> = await db("sqlite_master").select("name").where({ type: "table" });
      return JSON.stringify(await Promise.all(tables.map(async ({ name }) => [name, await db(name).select("*")] as const)));
    });
  }

  async function nowhereReadable(token: string): Promise<void> {
    // The scrape saying nothing is pending may come between the event's marking and the log's truncation.
    await eventually(async () => !(await fileBytes()).includes(token), "the token's text gone from the database's files", 5000);
    assert.equal((await everyTable()).includes(token), false, "the token's text is in a table");
    assert.ok(output.includes("personal token"), "the log speaks of the login");
    assert.equal(output.includes(token), false, "a log line quotes the token");
  }

  it("forgets the message once the token is taken", async () => {
    const token = await newToken();
    await push(`login token ${token}`);
    await eventually(() => answers().find((a) => a.startsWith("Token accepted")), "the token accepted");
    await handled();
    await nowhereReadable(token);
  });

  it("names no token in the log when the database refuses the message, and forgets it once the retry is handled", async () => {
    const token = await newToken();
    // The database's own error for a failed write quotes the statement; with its values, the message.
    await onDatabase((db) => db.raw("CREATE TRIGGER refuse_inbox BEFORE INSERT ON inbox_events BEGIN SELECT RAISE(ABORT, 'disk says no'); END"));
    const body = `login token ${token}`;
    await assert.rejects(push(body, "$refused"), /500/);
    await onDatabase((db) => db.raw("DROP TRIGGER refuse_inbox"));
    assert.match(output, /could not record transaction/);
    await push(body, "$refused");
    await eventually(() => answers().find((a) => a.startsWith("Token accepted")), "the token accepted");
    await handled();
    await nowhereReadable(token);
  });

  it("replays a message stored but not handled when the bridge was killed, then forgets it", async () => {
    const token = await newToken();
    holdRedactions = true;
    const eventId = await push(`!login token ${token}`);
    await eventually(() => hs.requests.some((r) => r.includes(`/redact/${encodeURIComponent(eventId)}/`)), "the handler under way");
    await bridge.kill();
    holdRedactions = false;
    const stored = await everyTable();
    assert.ok(stored.includes(token), "the message waits, whole, for the next process");
    const before = answers().length;
    bridge = await startAndWait();
    await eventually(() => answers().slice(before).find((a) => a.startsWith("Token accepted")), "the replayed token accepted");
    await handled();
    assert.equal(answers().slice(before).filter((a) => a.startsWith("Token accepted")).length, 1, "handled once");
    await nowhereReadable(token);
  });
});
