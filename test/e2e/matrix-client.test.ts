// The Matrix edge against a real Synapse: the client acting as the bot and a ghost, and the appservice router
// (with the real SQLite inbox and processor) receiving what Synapse pushes.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import YAML from "yaml";
import { createAppserviceApp } from "../../src/matrix/appservice";
import { MatrixClient } from "../../src/matrix/client";
import { MatrixIds } from "../../src/matrix/ids";
import { InboxProcessor } from "../../src/matrix/inbox-processor";
import { openStore } from "../../src/store/knex-store";
import type { Store } from "../../src/store/store";
import { configureLogging } from "../../src/util/log";
import { startSynapse, type MatrixAccount, type SynapseHandle } from "../harness/synapse";

const APPSERVICE_ID = "gitter-e2e";
// A 1x1 transparent PNG.
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==", "base64");

type Ev = Record<string, unknown>;

describe("matrix client against Synapse", () => {
  const asToken = randomBytes(32).toString("hex");
  const hsToken = randomBytes(32).toString("hex");
  const ids = new MatrixIds({ domain: "localhost", botLocalpart: "gitterbot", ghostPrefix: "gitter_" });
  const received: Ev[] = [];
  const waiters: { match: (e: Ev) => boolean; resolve: (e: Ev) => void }[] = [];
  let dir: string;
  let store: Store;
  let server: Server;
  let processor: InboxProcessor;
  let synapse: SynapseHandle;
  let bot: MatrixClient;
  let bob: MatrixAccount;

  /** Resolves with the first event the processor handed over that matches, past or future. */
  function handled(match: (e: Ev) => boolean): Promise<Ev> {
    const seen = received.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      // Only a guard against hanging when Synapse never delivers; not a speed requirement.
      const timer = setTimeout(() => reject(new Error("no such event reached the appservice within 30 s")), 30_000);
      waiters.push({ match, resolve: (e) => (clearTimeout(timer), resolve(e)) });
    });
  }

  /** Bob's view, through his own access token, to check what a real user sees. */
  async function asBob<T>(p: string): Promise<T> {
    const res = await fetch(`${synapse.url}${p}`, { headers: { authorization: `Bearer ${bob.accessToken}` } });
    assert.equal(res.status, 200, `${p}: ${await res.clone().text()}`);
    return (await res.json()) as T;
  }

  async function sendAsBob(roomId: string, body: string): Promise<string> {
    const url = `${synapse.url}/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/${randomBytes(8).toString("hex")}`;
    const res = await fetch(url, {
      method: "PUT",
      headers: { authorization: `Bearer ${bob.accessToken}`, "content-type": "application/json" },
      body: JSON.stringify({ msgtype: "m.text", body }),
    });
    assert.equal(res.status, 200, await res.clone().text());
    return ((await res.json()) as { event_id: string }).event_id;
  }

  before(async () => {
    configureLogging({ level: "warn" });
    dir = await mkdtemp(path.join(os.tmpdir(), "matrix-e2e-"));
    store = await openStore(`sqlite:${path.join(dir, "bridge.db")}`);
    processor = new InboxProcessor({
      inbox: store.inbox,
      handler: async (e) => {
        received.push(e);
        for (const w of waiters.filter((w) => w.match(e))) w.resolve(e);
      },
    });
    await processor.start();
    const app = createAppserviceApp({ hsToken, inbox: store.inbox, isOurUser: (id) => ids.isOurs(id), onTransaction: () => processor.nudge() });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, "127.0.0.1", () => resolve(s));
    });
    const registration = {
      id: APPSERVICE_ID,
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      as_token: asToken,
      hs_token: hsToken,
      sender_localpart: "gitterbot",
      rate_limited: false,
      namespaces: { users: [{ exclusive: true, regex: "^@gitter_.*:localhost$" }], aliases: [], rooms: [] },
    };
    await writeFile(path.join(dir, "registration.yaml"), YAML.stringify(registration));
    synapse = await startSynapse({ registrationPath: path.join(dir, "registration.yaml") });
    bot = MatrixClient.connect({ homeserverUrl: synapse.url, asToken, userId: ids.botMxid });
    bob = await synapse.registerUser("bob", "bob-password");
  });

  after(async () => {
    await synapse?.stop();
    await processor?.stop();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("knows who it is and is reachable by the homeserver (ping uses the hs_token)", async () => {
    assert.equal((await bot.whoami()).user_id, "@gitterbot:localhost");
    const { durationMs } = await bot.ping(APPSERVICE_ID, "e2e-ping");
    assert.equal(typeof durationMs, "number");
  });

  it("registers a ghost with an awkward username, idempotently, and sets its profile", async () => {
    const mxid = ids.ghostMxid("Alice_Smith");
    assert.equal(mxid, "@gitter__alice___smith:localhost");
    const alice = bot.as(mxid);
    await bot.registerUser(ids.ghostLocalpart("Alice_Smith"));
    await bot.registerUser(ids.ghostLocalpart("Alice_Smith")); // M_USER_IN_USE: still fine
    const mxc = await bot.uploadMedia(PNG, "image/png", "alice.png");
    assert.match(mxc, /^mxc:\/\/localhost\//);
    await alice.setDisplayName("Alice Smith (Gitter)");
    await alice.setAvatarUrl(mxc);
    assert.deepEqual(await bot.getProfile(mxid), { displayname: "Alice Smith (Gitter)", avatar_url: mxc });
    assert.equal(ids.parseGhost((await alice.whoami()).user_id), "Alice_Smith");
  });

  it("creates a room as the bot, invites, sends once per txn id and redacts", async () => {
    const ghost = bot.as(ids.ghostMxid("Alice_Smith"));
    const roomId = await bot.createRoom({
      name: "gitterHQ/gitter",
      topic: "bridged",
      invite: [bob.userId, ghost.userId],
      powerLevelContentOverride: { users: { [ids.botMxid]: 100, [bob.userId]: 50 } },
    });
    assert.match(roomId, /^!/);

    await ghost.join(roomId);
    const content = { msgtype: "m.text", body: "hello from gitter" };
    const first = await ghost.sendEvent(roomId, "m.room.message", content, "gitter-msg-1");
    const again = await ghost.sendEvent(roomId, "m.room.message", content, "gitter-msg-1");
    assert.equal(again, first);
    const members = await bot.getJoinedMembers(roomId);
    assert.deepEqual([...members.keys()].sort(), [ids.botMxid, ghost.userId].sort());
    assert.equal(members.get(ghost.userId)?.displayName, "Alice Smith (Gitter)");

    await fetch(`${synapse.url}/_matrix/client/v3/join/${encodeURIComponent(roomId)}`, {
      method: "POST",
      headers: { authorization: `Bearer ${bob.accessToken}`, "content-type": "application/json" },
      body: "{}",
    });
    // Bob's join reaches us through a recorded transaction; the bot's invite of him, the bridge's own event, not.
    const isBobs = (e: Ev) => e.room_id === roomId && e.type === "m.room.member" && e.state_key === bob.userId;
    await handled((e) => isBobs(e) && e.sender === bob.userId);
    assert.ok(!received.some((e) => isBobs(e) && e.sender === ids.botMxid), "the bot's own invite is not handed to the bridge");
    const messages = await asBob<{ chunk: Ev[] }>(`/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/messages?dir=b&limit=50`);
    const bodies = messages.chunk.filter((e) => e.type === "m.room.message").map((e) => (e.content as Ev).body);
    assert.deepEqual(bodies, ["hello from gitter"]);
    // The bridge's own events come back from Synapse but are acknowledged without reaching the handler;
    // Bob's message, sent after, does reach it, so the ghost's would have by then.
    const fromBob = await sendAsBob(roomId, "hello from matrix");
    await handled((e) => e.event_id === fromBob);
    assert.ok(!received.some((e) => e.event_id === first), "the ghost's own message is not handed to the bridge");

    const redaction = await bot.redact(roomId, first, "redact-1", "deleted on Gitter");
    assert.match(redaction, /^\$/);
    const redacted = await asBob<Ev>(`/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/event/${encodeURIComponent(first)}`);
    assert.deepEqual(redacted.content, {});
    const later = await sendAsBob(roomId, "after the redaction");
    await handled((e) => e.event_id === later);
    assert.ok(!received.some((e) => e.event_id === redaction), "the bot's own redaction is not handed to the bridge");
  });

  it("reads room state and writes state and account data", async () => {
    const roomId = await bot.createRoom({ name: "state room", isDirect: true, invite: [bob.userId] });
    await bot.sendState(roomId, "m.room.topic", "", { topic: "new topic" });
    assert.deepEqual(await bot.getStateEvent(roomId, "m.room.topic"), { topic: "new topic" });
    assert.equal(await bot.getStateEvent(roomId, "m.room.avatar"), null);
    const state = await bot.getRoomState(roomId);
    assert.ok(state.some((e) => e.type === "m.room.name" && e.content.name === "state room"));

    await bot.setAccountData("m.direct", { [bob.userId]: [roomId] });
    assert.deepEqual(await bot.getAccountData("m.direct"), { [bob.userId]: [roomId] });
    assert.equal(await bot.getAccountData("org.example.never-set"), null);
    await bot.setRoomAccountData(roomId, "org.example.portal", { gitterRoomId: "123" });

    await bot.kick(roomId, bob.userId, "test over");
    await bot.leave(roomId);
    assert.ok(!(await bot.getJoinedRooms()).includes(roomId));
  });
});
