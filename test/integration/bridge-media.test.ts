// Files shared from Matrix, through the bridge process against the Gitter emulator and a no-op homeserver that
// records every request: an mxc outside the grammar never becomes a link or a homeserver request; a shared file
// is served with headers that let its withdrawal hold, and stops being served when its message is redacted or its
// sharer logs out.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import http from "node:http";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import YAML from "yaml";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { configureLogging } from "../../src/util/log";
import { startHomeserverStub, type HomeserverStub } from "../harness/hs-stub";
import { openSeeder, seedLogins } from "../harness/seed";
import { eventually, startBridge, writeBridgeFiles, type BridgeFiles, type BridgeProcess } from "../harness/stack";

configureLogging({ level: "warn" });

const ALICE = "@alice:localhost";
const CONTROL = "!control:localhost";
const ROOM = "media/room";
const TOKEN = "e".repeat(40);

describe("files shared from Matrix", { timeout: 120_000 }, () => {
  let dir: string;
  let emulator: RunningEmulator;
  let hs: HomeserverStub;
  let files: BridgeFiles;
  let bridge: BridgeProcess;
  let webUrl: string;
  let hsToken: string;
  let portalRoom: string;
  let seq = 0;

  const gitterLog = async () =>
    (await (await fetch(`${emulator.url}/_emulator/messages?room=${ROOM}`)).json()) as Array<{ id: string; text: string; deleted?: boolean; fromUser: { username: string } }>;
  const onGitter = (pattern: RegExp) =>
    eventually(async () => (await gitterLog()).find((m) => m.fromUser.username === "alice" && !m.deleted && pattern.test(m.text)), `${pattern} on Gitter`);
  const push = async (roomId: string, type: string, content: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    const eventId = `$media-test-${++seq}`;
    await hs.pushTransaction(`http://127.0.0.1:${files.asPort}`, hsToken, [{ type, room_id: roomId, sender: ALICE, event_id: eventId, content, ...extra }]);
    return eventId;
  };
  const shareFile = (name: string, mediaId: string) =>
    push(portalRoom, "m.room.message", { msgtype: "m.file", body: name, url: `mxc://localhost/${mediaId}`, info: { mimetype: "text/plain", size: 4 } });
  /** GET with the path sent as written: fetch would resolve `..` and `%2E%2E` segments before sending. */
  const rawStatus = (p: string) =>
    new Promise<number>((resolve, reject) => {
      http.get({ host: "127.0.0.1", port: files.webPort, path: p }, (res) => (res.resume(), resolve(res.statusCode ?? 0))).on("error", reject);
    });
  const status = async (url: string, headers: Record<string, string> = {}) => {
    const res = await fetch(url, { headers });
    await res.arrayBuffer();
    return res;
  };

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "bridge-media-"));
    emulator = await startEmulator({
      control: true,
      fixture: {
        users: [{ username: "alice" }, { username: "bob" }],
        rooms: [{ uri: ROOM, members: ["alice", "bob"] }],
        tokens: [{ user: "alice", clientId: "media-test", token: TOKEN }],
      },
    });
    hs = await startHomeserverStub();
    files = await writeBridgeFiles({ dir, homeserverUrl: hs.url, domain: "localhost", gitterUrl: emulator.url, clientId: "media-test", clientSecret: "s" });
    hsToken = (YAML.parse(readFileSync(files.registrationPath, "utf8")) as { hs_token: string }).hs_token;
    const seeder = await openSeeder(dir);
    const alice = emulator.state.findUserByName("alice")!;
    await seedLogins(seeder, [{ mxid: ALICE, gitterUserId: alice.id, gitterUsername: "alice", token: TOKEN }]);
    await seeder.store.users.setControlRoom(ALICE, CONTROL);
    await seeder.store.close();
    bridge = startBridge(files);
    await bridge.waitForLine(/bridge started/);
    webUrl = `http://127.0.0.1:${files.webPort}`;
    portalRoom = await eventually(async () => {
      const { store } = await openSeeder(dir);
      try {
        return (await store.portals.listPortals(ALICE))[0]?.matrixRoomId;
      } finally {
        await store.close();
      }
    }, "alice's portal");
  });

  after(async () => {
    await bridge?.stop();
    await hs?.stop();
    await emulator?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("sends a file whose mxc names `..` as its server without a link, says so, and never asks the homeserver", async () => {
    await push(portalRoom, "m.room.message", { msgtype: "m.file", body: "secrets.yaml", url: "mxc://../config", info: { size: 10 } });
    const sent = await onGitter(/secrets\.yaml/);
    // The route a link would have used, however it is spelled.
    for (const p of ["/media/%2E%2E/config/secrets.yaml", "/media/../config/secrets.yaml", "/media/..%2Fconfig/x/y"]) {
      assert.equal(await rawStatus(p), 404, p);
    }
    assert.deepEqual(hs.requests.filter((r) => /\/download\/|config/.test(r)), []);
    assert.equal(sent.text, "secrets.yaml (file not available)");
    const notice = await eventually(
      () => hs.sends.find((s) => s.roomId === portalRoom && s.content.msgtype === "m.notice" && /without the link/.test(String(s.content.body))),
      "the notice in the portal",
    );
    assert.match(String(notice.content.body), /^Your message went to Gitter without the link to its file: .*not a valid Matrix media address/);
  });

  it("serves a shared file for the browser alone and revalidates it at each view", async () => {
    await shareFile("notes.txt", "notes");
    const sent = await onGitter(/notes\.txt/);
    const url = `${webUrl}/media/localhost/notes/notes.txt`;
    assert.equal(sent.text, `[notes.txt](${url}) (4 B)`);
    const first = await status(url);
    assert.equal(first.status, 200);
    assert.equal(first.headers.get("cache-control"), "private, no-cache");
    const etag = first.headers.get("etag");
    assert.ok(etag);
    const downloads = hs.counts.get("download");
    const again = await status(url, { "if-none-match": etag });
    assert.equal(again.status, 304);
    assert.equal(hs.counts.get("download"), downloads, "a 304 is answered without the homeserver");
  });

  it("stops serving a file once its message is redacted, and answers a revalidation with 404", async () => {
    const eventId = await shareFile("plan.txt", "plan");
    const url = `${webUrl}/media/localhost/plan/plan.txt`;
    const sent = await onGitter(/plan\.txt/);
    const etag = (await status(url)).headers.get("etag")!;
    await push(portalRoom, "m.room.redaction", {}, { redacts: eventId });
    await eventually(async () => !(await gitterLog()).some((m) => m.id === sent.id && !m.deleted), "the Gitter message deleted");
    assert.equal((await status(url)).status, 404);
    assert.equal((await status(url, { "if-none-match": etag })).status, 404);
  });

  it("stops serving a file added by an edit once the edited message is redacted (room v11 form)", async () => {
    const original = await push(portalRoom, "m.room.message", { msgtype: "m.text", body: "draft" });
    await onGitter(/^draft$/);
    const content = { msgtype: "m.text", body: "see pic", format: "org.matrix.custom.html", formatted_body: 'see <img src="mxc://localhost/pic" alt="pic">' };
    await push(portalRoom, "m.room.message", {
      ...content,
      body: `* ${content.body}`,
      "m.new_content": content,
      "m.relates_to": { rel_type: "m.replace", event_id: original },
    });
    const url = `${webUrl}/media/localhost/pic/pic`;
    await onGitter(/^see !\[pic\]/);
    assert.equal((await status(url)).status, 200);
    await push(portalRoom, "m.room.redaction", { redacts: original });
    await eventually(async () => (await status(url)).status === 404, "the edit's file withdrawn");
  });

  it("stops serving every file of a user who logs out", async () => {
    await shareFile("report.txt", "report");
    await onGitter(/report\.txt/);
    const url = `${webUrl}/media/localhost/report/report.txt`;
    assert.equal((await status(url)).status, 200);
    assert.equal((await status(`${webUrl}/media/localhost/notes/notes.txt`)).status, 200);
    await push(CONTROL, "m.room.message", { msgtype: "m.text", body: "logout" });
    await eventually(() => hs.sends.find((s) => s.roomId === CONTROL && /logged out/i.test(String(s.content.body))), "the logout answer");
    assert.equal((await status(url)).status, 404);
    assert.equal((await status(`${webUrl}/media/localhost/notes/notes.txt`)).status, 404);
  });
});
