// The emulator's HTTP streaming host over real sockets: auth, framing (bare JSON + "\n"), heartbeats, and
// the connection drops that revoked tokens and the control API cause.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { startEmulator, type RunningEmulator } from "../../emulator/server";

/** Every wait in these tests ends on an event; the timeout only turns a regression into a failure, not a hang. */
const T = { timeout: 10_000 };

const ALICE = "a1".repeat(20);
const BOB = "b2".repeat(20);
let emu: RunningEmulator;
let sharedId: string;
let bobOnlyId: string;

interface OpenStream {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Raw chunks as they arrived. */
  chunks: string[];
  text(): string;
  /** Resolves once `test` holds for the text received so far. */
  until(test: (text: string) => boolean): Promise<void>;
  ended: Promise<void>;
  close(): void;
}

function open(path: string, headers: Record<string, string> = {}): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    const req = http.get(emu.streamUrl + path, { headers }, (res) => {
      res.setEncoding("utf8");
      const chunks: string[] = [];
      const waiters: (() => void)[] = [];
      res.on("data", (chunk: string) => {
        chunks.push(chunk);
        for (const w of [...waiters]) w();
      });
      const ended = new Promise<void>((done) => res.on("close", done));
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        chunks,
        text: () => chunks.join(""),
        ended,
        close: () => req.destroy(),
        until(test) {
          return new Promise((done) => {
            const check = () => {
              if (!test(chunks.join(""))) return;
              waiters.splice(waiters.indexOf(check), 1);
              done();
            };
            waiters.push(check);
            check();
          });
        },
      });
    });
    req.on("error", reject);
  });
}

const jsonLines = (text: string) => text.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l));

async function control(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${emu.url}/_emulator${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(res.ok, `${method} ${path} -> ${res.status}`);
  return res.status === 204 ? {} : ((await res.json()) as Record<string, unknown>);
}

before(async () => {
  emu = await startEmulator({
    control: true,
    heartbeatMs: 50,
    fixture: {
      users: [{ username: "alice" }, { username: "bob" }],
      rooms: [
        { uri: "org/shared", members: ["alice", "bob"] },
        { uri: "org/bob-only", members: ["bob"] },
      ],
      tokens: [
        { user: "alice", clientId: "app", token: ALICE },
        { user: "bob", clientId: "app", token: BOB },
      ],
    },
  });
  sharedId = emu.state.rooms.findByUri("org/shared")!.id;
  bobOnlyId = emu.state.rooms.findByUri("org/bob-only")!.id;
});

after(() => emu.stop());

describe("stream auth", () => {
  it("answers 401 without a valid token", T, async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: `Bearer ${"0".repeat(40)}` }];
    for (const headers of attempts) {
      const s = await open(`/v1/rooms/${sharedId}/chatMessages`, headers);
      await s.ended;
      assert.equal(s.status, 401);
      assert.deepEqual(JSON.parse(s.text()), { error: "Unauthorized" });
    }
  });

  it("answers 400 for a malformed Authorization header", T, async () => {
    const s = await open(`/v1/rooms/${sharedId}/chatMessages`, { authorization: "Bearer" });
    await s.ended;
    assert.equal(s.status, 400);
  });

  it("answers 404 for unknown rooms and 403 for rooms the user is not in", T, async () => {
    const unknown = await open(`/v1/rooms/${"f".repeat(24)}/chatMessages`, { authorization: `Bearer ${ALICE}` });
    await unknown.ended;
    assert.equal(unknown.status, 404);
    const other = await open(`/v1/rooms/${bobOnlyId}/chatMessages`, { authorization: `Bearer ${ALICE}` });
    await other.ended;
    assert.equal(other.status, 403);
  });
});

describe("stream framing", () => {
  it("sends each created message as bare JSON ending in a newline, and no edits or deletes", T, async () => {
    const s = await open(`/v1/rooms/${sharedId}/chatMessages`, { authorization: `Bearer ${ALICE}` });
    try {
      assert.equal(s.status, 200);
      assert.equal(s.headers["transfer-encoding"], "chunked");
      assert.match(String(s.headers["content-type"]), /^application\/json/);
      const first = await control("POST", "/messages", { user: "bob", room: "org/shared", text: "one" });
      await control("PUT", `/messages/${String(first.id)}`, { text: "one, edited" });
      await control("DELETE", `/messages/${String(first.id)}`);
      await control("POST", "/messages", { user: "bob", room: "org/shared", text: "two" });
      await s.until((t) => jsonLines(t).length >= 2);
      const lines = jsonLines(s.text());
      assert.deepEqual(lines.map((m) => m.text), ["one", "two"]);
      assert.equal(lines[0].id, first.id);
      assert.equal(lines[0].fromUser.username, "bob");
      assert.equal("operation" in lines[0], false);
      assert.equal("unread" in lines[0], false);
      // Every message line is exactly one JSON document followed by "\n".
      for (const line of s.text().split("\n").filter((l) => l.trim() !== "")) assert.equal(line, JSON.stringify(JSON.parse(line)));
    } finally {
      s.close();
    }
  });

  it("sends \" \\n\" heartbeats on both resources, and accepts ?access_token=", T, async () => {
    const events = await open(`/v1/rooms/${sharedId}/events?access_token=${ALICE}`);
    const chat = await open(`/v1/rooms/${sharedId}/chatMessages`, { "x-access-token": ALICE });
    try {
      assert.equal(events.status, 200);
      assert.equal(chat.status, 200);
      await events.until((t) => t.includes(" \n \n"));
      await chat.until((t) => t.includes(" \n"));
      assert.equal(events.text().replaceAll(" \n", ""), "");
    } finally {
      events.close();
      chat.close();
    }
  });
});

describe("stream drops", () => {
  it("ends open streams when connections are cut", T, async () => {
    const a = await open(`/v1/rooms/${sharedId}/chatMessages`, { authorization: `Bearer ${ALICE}` });
    const b = await open(`/v1/rooms/${bobOnlyId}/chatMessages`, { authorization: `Bearer ${BOB}` });
    await control("POST", "/cut-connections");
    await Promise.all([a.ended, b.ended]);
  });

  it("ends only the revoked token's streams", T, async () => {
    const issued = await control("POST", "/tokens", { user: "alice", clientId: "to-revoke" });
    const token = String(issued.access_token);
    const doomed = await open(`/v1/rooms/${sharedId}/chatMessages`, { authorization: `Bearer ${token}` });
    const kept = await open(`/v1/rooms/${sharedId}/chatMessages`, { authorization: `Bearer ${BOB}` });
    try {
      await control("POST", "/tokens/revoke", { token });
      await doomed.ended;
      await control("POST", "/messages", { user: "alice", room: "org/shared", text: "still here" });
      await kept.until((t) => jsonLines(t).some((m) => m.text === "still here"));
      const again = await open(`/v1/rooms/${sharedId}/chatMessages`, { authorization: `Bearer ${token}` });
      await again.ended;
      assert.equal(again.status, 401);
    } finally {
      kept.close();
    }
  });

  it("ends a user's stream when they leave the room", T, async () => {
    const s = await open(`/v1/rooms/${sharedId}/chatMessages`, { authorization: `Bearer ${ALICE}` });
    await control("DELETE", `/rooms/org%2Fshared/members/alice`);
    await s.ended;
    await control("POST", "/rooms/org%2Fshared/members", { user: "alice" });
  });
});
