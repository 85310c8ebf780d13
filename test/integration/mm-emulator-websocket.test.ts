// The Mattermost emulator's websocket with Node's WebSocket client: the authentication challenge, hello and seq,
// events, typing, resuming with connection_id + sequence_number, and a new connection id when events were lost.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ALICE, BOB, startMm, type MmApi } from "./mm-emulator-helpers";

interface Msg { event?: string; seq?: number; seq_reply?: number; status?: string; data?: Record<string, unknown>; broadcast?: Record<string, unknown> }

let api: MmApi;
before(async () => {
  api = await startMm();
});
after(async () => {
  await api.emu.stop();
});

/** A websocket client that records every message and can wait for one. */
class Client {
  readonly got: Msg[] = [];
  private waiters: (() => void)[] = [];
  readonly ws: WebSocket;
  readonly closed: Promise<void>;

  constructor(query = "") {
    this.ws = new WebSocket(`${api.emu.url.replace(/^http/, "ws")}/api/v4/websocket${query}`);
    this.ws.onmessage = (e) => {
      this.got.push(JSON.parse(String(e.data)) as Msg);
      for (const w of this.waiters.splice(0)) w();
    };
    this.closed = new Promise((resolve) => this.ws.addEventListener("close", () => resolve()));
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ws.onopen = () => resolve();
      this.ws.onerror = () => reject(new Error("websocket error"));
    });
  }

  async waitFor(pred: (m: Msg) => boolean, ms = 2000): Promise<Msg> {
    const deadline = Date.now() + ms;
    for (;;) {
      const m = this.got.find(pred);
      if (m) return m;
      if (Date.now() > deadline) throw new Error(`timed out; got ${JSON.stringify(this.got)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  events(): Msg[] {
    return this.got.filter((m) => m.event);
  }

  send(m: unknown): void {
    this.ws.send(JSON.stringify(m));
  }
}

async function connect(token: string, query = ""): Promise<Client> {
  const c = new Client(`?access_token=${token}${query}`);
  await c.opened();
  await c.waitFor((m) => m.event === "hello" || m.seq === 0 || (m.event !== undefined && m.seq !== undefined));
  return c;
}

const post = (as: string, message: string) => api.control("POST", "/posts", { as, channel: "acme/dev", message });

describe("Mattermost emulator: websocket", () => {
  it("authenticates by challenge: hello (seq 0) then the OK reply to the challenge's seq", async () => {
    const c = new Client();
    await c.opened();
    c.send({ seq: 1, action: "authentication_challenge", data: { token: ALICE } });
    const reply = await c.waitFor((m) => m.seq_reply === 1);
    assert.equal(reply.status, "OK");
    const hello = c.got[0];
    assert.equal(hello.event, "hello");
    assert.equal(hello.seq, 0);
    assert.match(String(hello.data?.connection_id), /^[a-z0-9]{26}$/);
    await post("bob", "over the socket");
    const posted = await c.waitFor((m) => m.event === "posted");
    assert.equal(posted.seq, 1);
    assert.equal(posted.broadcast?.channel_id, api.channelId("acme/dev"));
    assert.equal(JSON.parse(String(posted.data?.post)).message, "over the socket");
    assert.equal(posted.data?.sender_name, "@bob");
    c.ws.close();
  });

  it("refuses actions before authentication and closes on a bad token", async () => {
    const c = new Client();
    await c.opened();
    c.send({ seq: 1, action: "user_typing", data: { channel_id: api.channelId("acme/dev") } });
    const err = await c.waitFor((m) => m.seq_reply === 1);
    assert.equal(err.status, "FAIL");
    c.send({ seq: 2, action: "authentication_challenge", data: { token: "bad" } });
    await c.closed;
  });

  it("answers a null message as a request without an action, closes on any other non-object, and stays up", async () => {
    const c = await connect(ALICE);
    c.send(null);
    const err = await c.waitFor((m) => m.status === "FAIL");
    assert.equal((err as { error?: { id?: string } }).error?.id, "api.web_socket_router.no_action.app_error");
    c.send({ seq: 1, action: "ping" });
    assert.equal((await c.waitFor((m) => m.seq_reply === 1)).data?.text, "pong");
    c.send(5);
    await c.closed;
    const next = await connect(ALICE);
    next.send({ seq: 1, action: "ping" });
    assert.equal((await next.waitFor((m) => m.seq_reply === 1)).status, "OK");
    next.ws.close();
  });

  it("numbers edits, deletes, reactions, typing and views in order, and leaves non-members out", async () => {
    const alice = await connect(ALICE);
    const carol = await connect("c".repeat(26));
    const p = await post("bob", "to change");
    await api.control("PUT", `/posts/${p.id}`, { message: "changed" });
    await api.control("POST", "/reactions", { as: "bob", post_id: p.id, emoji_name: "tada" });
    await api.control("DELETE", "/reactions", { as: "bob", post_id: p.id, emoji_name: "tada" });
    await api.control("DELETE", `/posts/${p.id}`);
    await api.control("POST", "/typing", { as: "bob", channel: "acme/dev" });
    await api.control("POST", "/view", { as: "alice", channel: "acme/dev" });
    await alice.waitFor((m) => m.event === "multiple_channels_viewed");
    const names = alice.events().map((m) => m.event);
    assert.deepEqual(names, ["hello", "posted", "post_edited", "reaction_added", "reaction_removed", "post_deleted", "typing", "multiple_channels_viewed"]);
    assert.deepEqual(alice.events().map((m) => m.seq), [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(carol.events().map((m) => m.event), ["hello"], "carol is not in acme/dev");
    alice.ws.close();
    carol.ws.close();
  });

  it("sends a typist's user_typing to the others only, and membership changes", async () => {
    const alice = await connect(ALICE);
    const bob = await connect(BOB);
    alice.send({ seq: 1, action: "user_typing", data: { channel_id: api.channelId("acme/dev"), parent_id: "" } });
    assert.equal((await alice.waitFor((m) => m.seq_reply === 1)).status, "OK");
    const typing = await bob.waitFor((m) => m.event === "typing");
    assert.equal(typing.data?.user_id, api.userId("alice"));
    await api.control("POST", "/members", { user: "alice", channel: "acme/lobby" });
    await api.control("DELETE", "/members", { user: "alice", channel: "acme/lobby" });
    const removed = await alice.waitFor((m) => m.event === "user_removed");
    assert.equal(removed.data?.channel_id, api.channelId("acme/lobby"));
    assert.ok(alice.events().some((m) => m.event === "user_added" && m.data?.user_id === api.userId("alice")));
    assert.ok(!alice.events().some((m) => m.event === "typing"));
    alice.ws.close();
    bob.ws.close();
  });
});

describe("Mattermost emulator: websocket reconnect", () => {
  async function cutAlice(): Promise<void> {
    await api.control("POST", "/cut-websockets", { user: "alice" });
  }

  it("resumes with connection_id and sequence_number: events from the cut are delivered, no new hello", async () => {
    const a = await connect(ALICE);
    const id = String(a.got[0].data?.connection_id);
    await post("bob", "one");
    await a.waitFor((m) => m.seq === 1);
    await cutAlice();
    await a.closed;
    await post("bob", "while away");
    const b = await connect(ALICE, `&connection_id=${id}&sequence_number=2`);
    const missed = await b.waitFor((m) => m.event === "posted");
    assert.equal(missed.seq, 2);
    assert.equal(JSON.parse(String(missed.data?.post)).message, "while away");
    assert.ok(!b.got.some((m) => m.event === "hello"));
    b.ws.close();
  });

  it("replays from the dead queue when the client is behind what was sent", async () => {
    const a = await connect(ALICE);
    const id = String(a.got[0].data?.connection_id);
    await post("bob", "r1");
    await post("bob", "r2");
    await a.waitFor((m) => m.seq === 2);
    await cutAlice();
    await a.closed;
    const b = await connect(ALICE, `&connection_id=${id}&sequence_number=1`);
    await b.waitFor((m) => m.seq === 2);
    assert.deepEqual(b.events().map((m) => [m.seq, JSON.parse(String(m.data?.post)).message]), [[1, "r1"], [2, "r2"]]);
    b.ws.close();
  });

  it("gives a new connection_id and a hello at seq 0 when events cannot be resumed", async () => {
    const a = await connect(ALICE);
    const id = String(a.got[0].data?.connection_id);
    await post("bob", "x");
    await a.waitFor((m) => m.seq === 1);
    await api.control("POST", "/cut-websockets", { user: "alice", forget: true });
    await a.closed;
    const b = await connect(ALICE, `&connection_id=${id}&sequence_number=2`);
    const hello = await b.waitFor((m) => m.event === "hello");
    assert.equal(hello.seq, 0);
    assert.notEqual(hello.data?.connection_id, id);
    b.ws.close();
  });

  it("starts anew when a reconnect authenticates by challenge, whatever the query says", async () => {
    const a = await connect(ALICE);
    const id = String(a.got[0].data?.connection_id);
    await cutAlice();
    await a.closed;
    const b = new Client(`?connection_id=${id}&sequence_number=1`);
    await b.opened();
    b.send({ seq: 1, action: "authentication_challenge", data: { token: ALICE } });
    const hello = await b.waitFor((m) => m.event === "hello");
    assert.notEqual(hello.data?.connection_id, id);
    b.ws.close();
  });

  it("tells every socket of a profile patched with PUT /users/{id}/patch (user_updated, the user as an object)", async () => {
    const alice = await connect(ALICE);
    const bob = await connect(BOB);
    const carol = api.userId("carol");
    const patched = await api.json("PUT", `/api/v4/users/${carol}/patch`, "c".repeat(26), { nickname: "Caz" });
    assert.equal(patched.nickname, "Caz");
    for (const c of [alice, bob]) {
      const ev = await c.waitFor((m) => m.event === "user_updated");
      const user = ev.data?.user as { id?: string; nickname?: string; password?: unknown };
      assert.deepEqual([user.id, user.nickname, user.password], [carol, "Caz", undefined]);
      c.ws.close();
    }
    assert.equal((await api.call("PUT", `/api/v4/users/${carol}/patch`, ALICE, { nickname: "x" })).status, 403);
    assert.equal((await api.call("PUT", `/api/v4/users/${carol}/patch`, "c".repeat(26), { nickname: 5 })).status, 400);
    assert.equal(api.emu.state.user(carol).nickname, "Caz");
  });

  it("closes the sockets of a revoked token", async () => {
    const { token } = await api.control("POST", "/tokens", { user: "bob" });
    const c = await connect(token);
    await api.control("DELETE", `/tokens/${token}`);
    await c.closed;
  });
});
