// Fuzzing the realtime client over real sockets. First through the emulator's own Faye server: generated
// malformed pushes (broken message models, odd operations, garbage on the room-list channel) interleaved with
// real messages. Then against a fake Faye server whose replies themselves are malformed (not JSON, not an
// array, null items, HTML, 500s, refused connects), which forces reconnects and catch-ups. Either way the
// client must stay up, deliver nothing malformed, and deliver every real message exactly once, in order.
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { GitterRealtime } from "../../src/gitter/realtime";
import { GitterRestClient } from "../../src/gitter/rest";
import type { GitterMessage } from "../../src/gitter/types";
import { configureLogging } from "../../src/util/log";
import { Fuzz, fuzzSeed } from "../harness/fuzz";

configureLogging({ level: "error" });
const T = { timeout: 60_000 };

/** Resolves once `test` holds, polling. The deadline is only a guard so a regression fails instead of hanging. */
async function until(test: () => boolean, what: () => string = () => "the condition"): Promise<void> {
  const deadline = Date.now() + 40_000;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function brokenMessage(f: Fuzz, template: Record<string, unknown>): Record<string, unknown> {
  const out = f.mangle(template, ["id", "text", "fromUser"]);
  // Make sure something the bridge needs really is broken (a mangled field may by chance still fit).
  const key = f.pick(["id", "text", "fromUser", "fromUser.username", "mentions"]);
  if (key === "fromUser.username") out.fromUser = { ...(template.fromUser as object), username: f.notString() };
  else if (key === "mentions") out.mentions = f.pick([{}, "alice", [null], [{ screenName: 5 }]]);
  else if (key === "id") out.id = f.pick(["zzzzzzzzzzzzzzzzzzzzzzzz", "FFFFFFFFFFFFFFFFFFFFFFFF", f.oddString(), 42, null]);
  else out[key] = f.notString();
  return out;
}

describe("fuzzing realtime pushes through the emulator", () => {
  let emu: RunningEmulator;
  let rt: GitterRealtime | undefined;
  before(async () => {
    emu = await startEmulator({
      control: true,
      rateLimit: 100_000,
      fixture: { users: [{ username: "alice" }, { username: "bob" }], rooms: [{ uri: "org/fuzz", members: ["alice", "bob"] }] },
    });
  });
  after(async () => {
    rt?.stop();
    await emu.stop();
  });

  it("drops 300 malformed pushes and delivers every real message in between exactly once", T, async () => {
    const f = new Fuzz(fuzzSeed("realtime pushes"));
    const alice = emu.state.findUserByName("alice")!;
    const bob = emu.state.findUserByName("bob")!;
    const room = emu.state.rooms.findByUri("org/fuzz")!.id;
    const token = emu.state.issueToken(alice.id, "fuzz");
    const rest = new GitterRestClient({ apiUrl: emu.url, token, userId: alice.id });
    const client = new GitterRealtime({
      fayeUrl: `${emu.url}/bayeux`,
      token,
      userId: alice.id,
      fetchMissed: (r, afterId) => rest.listMessages(r, { afterId, limit: 20 }),
      catchUpPageSize: 20,
      backoff: { baseMs: 10, maxMs: 100 },
    });
    rt = client;
    const seen: GitterMessage[] = [];
    client.on("message", (r, m) => r === room && seen.push(m));
    client.watchRoom(room, null);
    client.start();
    await until(() => client.state === "connected");

    const posted: string[] = [];
    const template = emu.state.serializeMessage(emu.state.postMessage(bob.id, room, { text: "template" }));
    posted.push(String(template.id));
    for (let i = 0; i < 300; i++) {
      if (i % 10 === 0) posted.push(emu.state.postMessage(bob.id, room, { text: `real ${i}` }).id);
      const operation = f.bool(0.8) ? f.pick(["create", "update", "remove", "patch"]) : f.value();
      const model = brokenMessage(f, template);
      const kind = f.int(10);
      // Odd operations are not in the emulator's type, but the wire carries whatever the server sends.
      if (kind < 7) emu.state.emitLive({ kind: "chat", roomId: room, operation: operation as "create", model });
      else if (kind < 9) emu.state.emitLive({ kind: "userRooms", userId: alice.id, operation: operation as "create", model });
      else emu.state.emitLive({ kind: "roomUsers", roomId: room, operation: operation as "create", model });
      if (i % 50 === 0) await new Promise((r) => setTimeout(r, 5)); // let some pushes land mid-burst
    }
    posted.push(emu.state.postMessage(bob.id, room, { text: "last" }).id);
    await until(() => seen.length >= posted.length, () => `${posted.length} messages (got ${seen.length})`);
    await new Promise((r) => setTimeout(r, 200)); // anything extra would show up now
    assert.deepEqual(seen.map((m) => m.id), posted);
    assert.equal(client.state, "connected");
  });
});

// ---- A fake Faye server with malformed replies ----

interface FakeFaye {
  url: string;
  /** Queue a push of `data` on `channel`, delivered with the next connect reply of the current session. */
  push(channel: string, data: unknown): void;
  /** Answer the next connect with this raw reply instead of a proper one. */
  breakNext(reply: { status: number; body: string }): void;
  handshakes: number;
  close(): Promise<void>;
}

async function startFakeFaye(): Promise<FakeFaye> {
  const pushes: Array<{ channel: string; data: unknown }> = [];
  const broken: Array<{ status: number; body: string }> = [];
  const fake = { handshakes: 0 } as FakeFaye;
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => void answer(JSON.parse(body) as Array<Record<string, unknown>>, res));
  });
  const reply = (res: http.ServerResponse, status: number, text: string) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(text);
  };
  async function answer(msgs: Array<Record<string, unknown>>, res: http.ServerResponse): Promise<void> {
    const m = msgs[0]!;
    const ok = { channel: m.channel, id: m.id, successful: true };
    if (m.channel === "/meta/handshake") {
      // A new session: whatever was queued for the old one is gone, as on a real Faye server. The client must
      // find those messages by catching up.
      pushes.length = 0;
      fake.handshakes++;
      return reply(res, 200, JSON.stringify([{ ...ok, clientId: `c${fake.handshakes}`, advice: { timeout: 200 } }]));
    }
    // Like any Bayeux server, one reply per message of a batch (the client subscribes every room in one request).
    if (m.channel !== "/meta/connect") return reply(res, 200, JSON.stringify(msgs.map((x) => ({ channel: x.channel, id: x.id, successful: true }))));
    const bad = broken.shift();
    if (bad) return reply(res, bad.status, bad.body);
    if (pushes.length === 0) await new Promise((r) => setTimeout(r, 30));
    reply(res, 200, JSON.stringify([ok, ...pushes.splice(0)]));
  }
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/bayeux`;
  fake.push = (channel, data) => void pushes.push({ channel, data });
  fake.breakNext = (b) => void broken.push(b);
  fake.close = () => new Promise((r) => (server.closeAllConnections(), server.close(() => r())));
  return fake;
}

describe("fuzzing the realtime client with malformed Faye replies", () => {
  let faye: FakeFaye;
  let rt: GitterRealtime | undefined;
  before(async () => (faye = await startFakeFaye()));
  after(async () => {
    rt?.stop();
    await faye.close();
  });

  it("survives 150 malformed replies and pushes, catching up every real message exactly once", T, async () => {
    const f = new Fuzz(fuzzSeed("Faye replies"));
    const room = "5f00000000000000000000aa";
    const history: GitterMessage[] = [];
    const user = { id: "u1", username: "bob", displayName: "Bob", url: "/bob" };
    const client = new GitterRealtime({
      fayeUrl: faye.url,
      token: "t".repeat(40),
      userId: "me",
      // The catch-up reads the same history the pushes come from, as Gitter's REST API would.
      fetchMissed: async (_r, afterId) => history.filter((m) => m.id > afterId).slice(0, 10),
      catchUpPageSize: 10,
      livenessTimeoutMs: 3_000,
      backoff: { baseMs: 1, maxMs: 20 },
    });
    rt = client;
    const seen: string[] = [];
    client.on("message", (_r, m) => seen.push(m.id));
    client.watchRoom(room, "5f0000000000000000000000");
    client.start();
    await until(() => client.state === "connected");

    const channel = `/api/v1/rooms/${room}/chatMessages`;
    for (let i = 0; i < 150; i++) {
      if (i % 5 === 0) {
        const m = { id: "5f" + (i + 1).toString(16).padStart(22, "0"), text: `real ${i}`, html: "", sent: "", fromUser: user };
        history.push(m);
        faye.push(channel, { operation: "create", model: m });
      }
      if (f.bool(0.5)) faye.breakNext(brokenReply(f));
      else faye.push(f.bool() ? channel : f.oddString(), f.bool() ? { operation: "create", model: f.value() } : f.value());
      if (i % 10 === 0) await new Promise((r) => setTimeout(r, 15));
    }
    await until(() => seen.length >= history.length && client.state === "connected", () => `${history.length} messages (got ${seen.length})`);
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(seen, history.map((m) => m.id));
    assert.ok(faye.handshakes > 5, `malformed replies forced new sessions (${faye.handshakes} handshakes)`);
  });
});

function brokenReply(f: Fuzz): { status: number; body: string } {
  switch (f.int(7)) {
    case 0:
      return { status: 200, body: f.brokenJson([{ channel: "/meta/connect", successful: true }]) };
    case 1:
      return { status: 200, body: JSON.stringify(f.pick([{}, "ok", 5, null, true])) };
    case 2:
      return { status: 200, body: JSON.stringify([null, f.value()]) };
    case 3:
      return { status: 200, body: JSON.stringify([{ channel: f.notString(), successful: true }]) };
    case 4:
      return { status: 200, body: `<html>${f.oddString()}</html>` };
    case 5:
      return { status: f.pick([500, 502, 400, 404]), body: f.oddString() };
    default:
      return { status: 200, body: JSON.stringify([{ channel: "/meta/connect", successful: false, error: "402::Unknown client" }]) };
  }
}
