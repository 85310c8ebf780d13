// The bridge itself on PostgreSQL 15, end to end: the crash scenario (login, portals, two-way traffic, SIGKILLs
// of the bridge, a Synapse restart, cut connections) with `database: postgres://...`, then a homeserver
// transaction replayed as is and its event under a new transaction id; nothing may be lost or doubled. The
// state must really be in PostgreSQL, and no SQLite file may appear. Needs root, the Debian postgresql-15
// package (test/harness/postgres.ts) and the Synapse chroot. CRASH_SEED replays a run's plan.
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Knex } from "knex";
import YAML from "yaml";
import { openKnex, parseDatabaseUrl } from "../../src/store/connection";
import type { BridgedStack } from "../harness/bridged-stack";
import { assertNothingLost, runCrashScenario } from "../harness/crash-driver";
import { startPostgres, type PostgresHandle } from "../harness/postgres";
import { eventually } from "../harness/stack";

const seed = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
const KILLS = 3;
const ROOM = "crash/room1";
const enc = encodeURIComponent;

let pg: PostgresHandle;
let url: string;
let db: Knex;

before(async () => {
  pg = await startPostgres();
  const admin = openKnex(parseDatabaseUrl(pg.url));
  try {
    await admin.raw("CREATE DATABASE bridge_e2e");
  } finally {
    await admin.destroy();
  }
  url = pg.url.replace(/\/postgres$/, "/bridge_e2e");
  db = openKnex(parseDatabaseUrl(url));
});

after(async () => {
  await db?.destroy();
  await pg?.stop();
});

interface ClientEvent {
  event_id: string;
  type: string;
  sender: string;
  content: { body?: unknown };
}

/** The newest Matrix -> Gitter message the user sent in their portal, as Synapse hands it to appservices. */
async function lastSentEvent(stack: BridgedStack, roomId: string): Promise<ClientEvent> {
  const alice = stack.users.get("alice")!.matrix;
  const path = `/_matrix/client/v3/rooms/${enc(roomId)}/messages`;
  const res = (await alice.client.doRequest("GET", path, { dir: "b", limit: 200 })) as { chunk: ClientEvent[] };
  const event = res.chunk.find((e) => e.type === "m.room.message" && e.sender === alice.userId && String(e.content.body).startsWith("m2g-"));
  if (!event) throw new Error("no Matrix -> Gitter message in the portal to replay");
  return { ...event, room_id: roomId } as ClientEvent;
}

/** PUTs a transaction to the bridge as the homeserver would. */
async function putTransaction(stack: BridgedStack, txnId: string, events: ClientEvent[]): Promise<void> {
  const reg = YAML.parse(await readFile(stack.files.registrationPath, "utf8")) as { hs_token: string };
  const res = await fetch(`http://127.0.0.1:${stack.files.asPort}/_matrix/app/v1/transactions/${enc(txnId)}`, {
    method: "PUT",
    headers: { authorization: `Bearer ${reg.hs_token}`, "content-type": "application/json" },
    body: JSON.stringify({ events }),
  });
  assert.equal(res.status, 200, `transaction ${txnId}: ${await res.text()}`);
}

async function gitterTexts(stack: BridgedStack): Promise<string[]> {
  const messages = (await stack.control(`/messages?room=${enc(ROOM)}`)) as Array<{ text: string }>;
  return messages.map((m) => m.text);
}

/**
 * Replays the transaction that carried an already bridged Matrix message, then the same event under a transaction
 * id never seen (as Synapse does after a restart), then sends a marker behind them: once the marker is on Gitter,
 * the replays were handled (one inbox, in order) and must not have posted the message again.
 */
async function replayBridgedMessage(stack: BridgedStack): Promise<void> {
  const portal = stack.users.get("alice")!.portals.get(ROOM)!;
  const event = await lastSentEvent(stack, portal);
  const row = (await db("inbox_events").select("txn_id").where({ event_id: event.event_id }).first()) as { txn_id: string } | undefined;
  assert.ok(row, "the bridged event went through the PostgreSQL inbox");
  await putTransaction(stack, row.txn_id, [event]);
  await putTransaction(stack, `replay-${seed}`, [event]);
  const marker = `marker-${seed}`;
  const alice = stack.users.get("alice")!.matrix;
  await alice.client.sendMessage(portal, { msgtype: "m.text", body: marker });
  await eventually(async () => (await gitterTexts(stack)).includes(marker), "the marker on Gitter", 60_000);
  const copies = (await gitterTexts(stack)).filter((t) => t === event.content.body);
  assert.equal(copies.length, 1, `${String(event.content.body)} is on Gitter exactly once after the replays`);
}

/** Every file under `dir`, recursively. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

async function checkState(stack: BridgedStack): Promise<void> {
  // A kill during start-up may come before a process logs anything; every process that started opened PostgreSQL.
  const opening = stack.bridgeLines().filter((l) => l.includes("opening database"));
  const started = stack.bridgeLines().filter((l) => l.includes("bridge started"));
  assert.ok(started.length >= 1 && opening.length >= started.length, `every bridge process that started opened the database (${opening.length} opened, ${started.length} started)`);
  for (const line of opening) assert.match(line, /"engine":"postgres"/);
  const sqlite = (await filesUnder(stack.dir)).filter((f) => /\.(db|sqlite3?)(-wal|-shm|-journal)?$/.test(f));
  assert.deepEqual(sqlite, [], "no SQLite file was created");
  const users = await db("users").select("gitter_username").whereNotNull("token_ciphertext");
  assert.deepEqual(users, [{ gitter_username: "alice" }]);
  const portals = await db("portals").count({ n: "*" }).first();
  assert.equal(Number(portals?.n), 2, "both portals are rows in PostgreSQL");
  const open = await db("pending_sends").count({ n: "*" }).first();
  assert.equal(Number(open?.n), 0, "no send intent is left open once everything arrived");
}

describe("the bridge on PostgreSQL", { timeout: 300_000 }, () => {
  it(`loses and doubles nothing across ${KILLS} SIGKILLs and replayed transactions (seed ${seed})`, async () => {
    let checked = false;
    const report = await runCrashScenario({
      kills: KILLS,
      seed,
      rooms: 2,
      database: url,
      log: (line) => console.log(line),
      afterSettle: async (stack) => {
        await checkState(stack);
        await replayBridgedMessage(stack);
        checked = true;
      },
    });
    assert.ok(checked, "the state and replay checks ran");
    assertNothingLost(report, KILLS);
    const links: Array<{ direction: string; n: number | string }> = await db("message_links").select("direction").count({ n: "*" }).groupBy("direction");
    const count = (d: string) => Number(links.find((l) => l.direction === d)?.n ?? 0);
    // One user: every bridged message is one link (the marker is one more Matrix -> Gitter link).
    assert.equal(count("gitter-to-matrix"), report.gitterToMatrix.sent);
    assert.equal(count("matrix-to-gitter"), report.matrixToGitter.sent + 1);
  });
});
