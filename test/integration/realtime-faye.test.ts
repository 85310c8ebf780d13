// The emulator's Faye server over real HTTP: Gitter's handshake, subscription and publish rules, the
// `{operation, model}` pushes with `ext.c`, and the connection drops the control API asks for.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { attachFaye, type FayeHandle } from "../../emulator/faye";
import { EmulatorState } from "../../emulator/state";

/** Every wait in these tests ends on an event; the timeout only turns a regression into a failure, not a hang. */
const T = { timeout: 10_000 };

type Msg = Record<string, unknown> & { channel: string; successful?: boolean; error?: string };

let server: http.Server;
let faye: FayeHandle;
let base: string;
const state = new EmulatorState();
const alice = state.createUser({ username: "alice" });
const bob = state.createUser({ username: "bob" });
const shared = state.createRoom({ uri: "org/shared" });
// Private: a public room is open to anyone (emulator-fidelity-rooms.test.ts).
const bobOnly = state.createRoom({ uri: "org/bob-only", security: "PRIVATE" });
const aliceToken = state.issueToken(alice.id, "app");
const bobToken = state.issueToken(bob.id, "app");

async function bayeux(messages: object[], mount = "/bayeux"): Promise<Msg[]> {
  const res = await fetch(base + mount, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(messages),
  });
  assert.equal(res.status, 200);
  return (await res.json()) as Msg[];
}

async function one(message: object, mount?: string): Promise<Msg> {
  const replies = await bayeux([message], mount);
  return replies[0];
}

const handshakeMsg = (ext?: object) => ({
  channel: "/meta/handshake",
  version: "1.0",
  supportedConnectionTypes: ["long-polling"],
  ...(ext ? { ext } : {}),
});

async function handshake(token: string, mount?: string): Promise<string> {
  const reply = await one(handshakeMsg({ token }), mount);
  assert.equal(reply.successful, true, reply.error);
  return reply.clientId as string;
}

const subscribe = (clientId: string, subscription: string, ext?: object) =>
  one({ channel: "/meta/subscribe", clientId, subscription, ...(ext ? { ext } : {}) });

/** One long-poll; returns the data messages it carried (the server holds it at most `timeoutSec`). */
async function poll(clientId: string): Promise<{ reply: Msg; data: Msg[] }> {
  const replies = await bayeux([{ channel: "/meta/connect", clientId, connectionType: "long-polling" }]);
  const reply = replies.find((m) => m.channel === "/meta/connect")!;
  return { reply, data: replies.filter((m) => m.channel !== "/meta/connect") };
}

before(async () => {
  state.rooms.join(alice.id, shared.id);
  state.rooms.join(bob.id, shared.id);
  state.rooms.join(bob.id, bobOnly.id);
  server = http.createServer((_req, res) => res.writeHead(404).end());
  faye = attachFaye(server, state, { timeoutSec: 1 });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  faye.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("Faye handshake", () => {
  it("requires a token and refuses for good", T, async () => {
    const reply = await one(handshakeMsg());
    assert.equal(reply.successful, false);
    assert.equal(reply.error, "401::Access token required");
    assert.deepEqual(reply.advice, { reconnect: "none", interval: 864000000 });
  });

  it("rejects an unknown token", T, async () => {
    const reply = await one(handshakeMsg({ token: "0".repeat(40) }));
    assert.equal(reply.error, "401::Invalid access token");
    assert.equal((reply.advice as { reconnect: string }).reconnect, "none");
  });

  it("accepts a live token on both mounts and names the user", T, async () => {
    for (const mount of ["/bayeux", "/faye"]) {
      const reply = await one(handshakeMsg({ token: aliceToken }), mount);
      assert.equal(reply.successful, true);
      assert.equal((reply.ext as { userId: string }).userId, alice.id);
    }
  });
});

describe("Faye subscriptions", () => {
  let clientId: string;
  before(async () => {
    clientId = await handshake(aliceToken);
  });

  it("refuses clients that never handshook", T, async () => {
    const reply = await subscribe("nosuchclient", `/api/v1/rooms/${shared.id}/chatMessages`);
    assert.equal(reply.successful, false);
    assert.match(reply.error ?? "", /^401:/);
  });

  it("refuses unknown channels and wildcards", T, async () => {
    assert.equal((await subscribe(clientId, "/api/v1/nothing")).error, "404::Unknown subscription /api/v1/nothing");
    assert.equal((await subscribe(clientId, "/api/v1/rooms/*")).error, "404::Unknown subscription /api/v1/rooms/*");
    assert.equal((await subscribe(clientId, "/**")).error, "404::Unknown subscription /**");
  });

  it("denies rooms the user is not in, other users' channels and other tokens", T, async () => {
    for (const ch of [
      `/api/v1/rooms/${bobOnly.id}/chatMessages`,
      `/api/v1/rooms/${bobOnly.id}/users`,
      `/api/v1/rooms/${bobOnly.id}`,
      `/api/v1/user/${bob.id}`,
      `/api/v1/user/${bob.id}/rooms`,
      `/api/v1/token/${bobToken}`,
    ]) {
      assert.equal((await subscribe(clientId, ch)).error, "403::Authorisation denied.", ch);
    }
    assert.equal((await subscribe(clientId, "/api/v1/rooms/notanid/chatMessages")).error, "400::Invalid ID: notanid");
  });

  it("allows the user's own channels", T, async () => {
    for (const ch of [
      `/api/v1/rooms/${shared.id}/users`,
      `/api/v1/rooms/${shared.id}`,
      `/api/v1/user/${alice.id}`,
      `/api/v1/user/${alice.id}/rooms`,
      `/api/v1/token/${aliceToken}`,
    ]) {
      assert.equal((await subscribe(clientId, ch)).successful, true, ch);
    }
  });

  it("sends a chat snapshot unless told not to", T, async () => {
    state.postMessage(bob.id, shared.id, { text: "before subscribing" });
    const withSnap = await subscribe(clientId, `/api/v1/rooms/${shared.id}/chatMessages`, { snapshot: { limit: 1 } });
    const snapshot = (withSnap.ext as { snapshot: { text: string; unread?: boolean }[] }).snapshot;
    assert.equal(snapshot.length, 1);
    assert.equal(snapshot[0].text, "before subscribing");
    assert.equal("unread" in snapshot[0], false);
    const other = await handshake(aliceToken);
    const without = await subscribe(other, `/api/v1/rooms/${shared.id}/chatMessages`, { snapshot: false });
    assert.equal(without.successful, true);
    assert.equal(without.ext === undefined || !("snapshot" in (without.ext as object)), true);
  });
});

describe("Faye publishing", () => {
  it("refuses client publishes except pings", T, async () => {
    const clientId = await handshake(aliceToken);
    const push = await one({ channel: `/api/v1/rooms/${shared.id}/chatMessages`, clientId, data: { text: "x" } });
    assert.equal(push.error, "403::Push access denied");
    const ping = await one({ channel: "/api/v1/ping2", clientId, data: { reason: "ping" } });
    assert.equal(ping.successful, true);
    const stranger = await one({ channel: "/api/v1/ping2", clientId: "nosuchclient", data: {} });
    assert.equal(stranger.successful, false);
  });
});

describe("Faye delivery", () => {
  it("pushes creates, edits and deletes with rising ext.c", T, async () => {
    const clientId = await handshake(aliceToken);
    await subscribe(clientId, `/api/v1/rooms/${shared.id}/chatMessages`, { snapshot: false });
    const msg = state.postMessage(bob.id, shared.id, { text: "hello" });
    state.editMessage(bob.id, shared.id, msg.id, "hello!");
    state.deleteMessage(bob.id, shared.id, msg.id);
    const { data } = await poll(clientId);
    const ops = data.map((m) => (m.data as { operation: string }).operation);
    assert.deepEqual(ops, ["create", "update", "remove"]);
    assert.deepEqual(data.map((m) => (m.ext as { c: number }).c), [1, 2, 3]);
    const update = data[1].data as { model: { text: string; v: number } };
    assert.equal(update.model.text, "hello!");
    assert.equal(update.model.v, 2);
  });

  it("stops a user's room traffic when they leave, and tells their room list", T, async () => {
    const room = state.createRoom({ uri: "org/leaving", security: "PRIVATE" });
    state.rooms.join(alice.id, room.id);
    state.rooms.join(bob.id, room.id);
    const clientId = await handshake(aliceToken);
    await subscribe(clientId, `/api/v1/rooms/${room.id}/chatMessages`, { snapshot: false });
    await subscribe(clientId, `/api/v1/user/${alice.id}/rooms`);
    state.rooms.leave(alice.id, room.id);
    state.postMessage(bob.id, room.id, { text: "after alice left" });
    const { data } = await poll(clientId);
    assert.deepEqual(
      data.map((m) => m.channel),
      [`/api/v1/user/${alice.id}/rooms`],
    );
    assert.deepEqual(data[0].data, { operation: "remove", model: { id: room.id } });
    // Re-subscribing is now refused as well.
    const again = await subscribe(clientId, `/api/v1/rooms/${room.id}/chatMessages`);
    assert.equal(again.error, "403::Authorisation denied.");
  });

  it("tells a revoked token's clients, then drops them", T, async () => {
    const token = state.issueToken(alice.id, "revoked-app");
    const clientId = await handshake(token);
    await subscribe(clientId, `/api/v1/token/${token}`);
    const pending = poll(clientId);
    await new Promise((r) => setTimeout(r, 50));
    state.revokeToken(token);
    const { data } = await pending;
    assert.deepEqual(data.map((m) => m.data), [{ notification: "token_revoked" }]);
    const next = await poll(clientId);
    assert.equal(next.reply.successful, false);
    assert.equal((await one(handshakeMsg({ token }))).error, "401::Invalid access token");
  });

  it("drops every client when connections are cut", T, async () => {
    const clientId = await handshake(aliceToken);
    assert.ok(faye.clientCount() > 0);
    state.cutConnections();
    assert.equal(faye.clientCount(), 0);
    const next = await poll(clientId);
    assert.equal(next.reply.successful, false);
    assert.equal((next.reply.advice as { reconnect: string }).reconnect, "handshake");
  });
});

describe("Faye with the faye client library over WebSocket", () => {
  interface FayeClient {
    addExtension(ext: object): void;
    subscribe(channel: string, cb: (data: unknown) => void): PromiseLike<unknown>;
    disconnect(): PromiseLike<unknown> | undefined;
  }
  // The library has no type declarations; this is the slice the test uses.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fayeLib = require("faye") as { Client: new (url: string, opts: { retry: number }) => FayeClient };

  it("delivers pushes with ext.c to a stock client", T, async () => {
    // A short retry keeps the library's own retry timers from holding the process after the test.
    const client = new fayeLib.Client(`${base}/bayeux`, { retry: 0.2 });
    const seqs: number[] = [];
    client.addExtension({
      outgoing(m: Msg, cb: (m: Msg) => void) {
        if (m.channel === "/meta/handshake") m.ext = { token: aliceToken };
        if (m.channel === "/meta/subscribe") m.ext = { snapshot: false };
        cb(m);
      },
      incoming(m: Msg, cb: (m: Msg) => void) {
        const c = (m.ext as { c?: number } | undefined)?.c;
        if (c !== undefined) seqs.push(c);
        cb(m);
      },
    });
    try {
      const got: unknown[] = [];
      const two = new Promise<void>((resolve) => {
        void client.subscribe(`/api/v1/rooms/${shared.id}/chatMessages`, (data) => {
          got.push(data);
          if (got.length === 2) resolve();
        });
      }).then(() => undefined);
      const subscribed = client.subscribe(`/api/v1/user/${alice.id}/rooms`, () => undefined);
      await subscribed;
      await new Promise((r) => setTimeout(r, 100));
      state.postMessage(bob.id, shared.id, { text: "over websocket 1" });
      state.postMessage(bob.id, shared.id, { text: "over websocket 2" });
      await two;
      const texts = got.map((d) => (d as { model: { text: string } }).model.text);
      assert.deepEqual(texts, ["over websocket 1", "over websocket 2"]);
      // Unread-count patches on the room list share the counter, so only the run matters: 1, 2, 3, ...
      assert.ok(seqs.length >= 2);
      assert.deepEqual(seqs, seqs.map((_, i) => i + 1));
    } finally {
      await client.disconnect();
    }
  });
});
