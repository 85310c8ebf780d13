// GitterRealtime against misbehaving Bayeux servers: one that accepts the session and then goes silent (no
// connect answers, no ping answers: a dead TCP path or a stuck server), and one that skips an `ext.c` push
// sequence number (a lost push). The client must notice both and reconnect.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { GitterRealtime, type StateDetail } from "../../src/gitter/realtime";
import { configureLogging } from "../../src/util/log";

configureLogging({ level: "error" });

const T = { timeout: 20_000 };
let server: http.Server;
let url: string;
let handshakes = 0;
/** What the fake server does with connects and pings: "silent" never answers them. */
let mode: "silent" | "gap" = "silent";
const ROOM = "5f00000000000000000000a1";

type Msg = { channel: string; id?: string; clientId?: string; subscription?: string };

/** Pushes with c = 1 then c = 3, as if the push numbered 2 was lost on the way. */
function gappyPushes(): object[] {
  const model = (n: number) => ({ id: n.toString(16).padStart(24, "f"), text: `m${n}`, html: "", sent: "", fromUser: {}, v: 1 });
  return [1, 3].map((c) => ({ channel: `/api/v1/rooms/${ROOM}/chatMessages`, data: { operation: "create", model: model(c) }, ext: { c } }));
}

function fakeBayeux(req: http.IncomingMessage, res: http.ServerResponse): void {
  let body = "";
  req.on("data", (c: Buffer) => (body += c.toString()));
  req.on("end", () => {
    // A request may carry several messages (subscriptions are batched); each gets its reply.
    const batch = JSON.parse(body) as Msg[];
    const m = batch[0];
    const quiet = m.channel === "/meta/connect" || m.channel === "/api/v1/ping2";
    if (quiet && mode === "silent") return;
    if (m.channel === "/meta/handshake") handshakes += 1;
    const replies = batch.map((x) => ({ ...x, successful: true, clientId: `client${handshakes}`, advice: { reconnect: "retry", interval: 0, timeout: 60_000 } }));
    const extra = m.channel === "/meta/connect" ? gappyPushes() : [];
    // Hold gappy connects a moment, so the client is not flooded between reconnects.
    setTimeout(() => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify([...replies, ...extra])), extra.length ? 20 : 0);
  });
}

before(async () => {
  server = http.createServer(fakeBayeux);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/bayeux`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("GitterRealtime liveness", () => {
  it("gives up a session that stops answering, and reconnects", T, async () => {
    mode = "silent";
    handshakes = 0;
    const rt = new GitterRealtime({
      fayeUrl: url,
      token: "c".repeat(40),
      userId: "5f00000000000000000000b2",
      fetchMissed: async () => [],
      // Long enough that a loaded machine still answers the handshake in time; the fake then goes silent.
      livenessTimeoutMs: 2_000,
      backoff: { baseMs: 10, maxMs: 50 },
    });
    const states: string[] = [];
    let lost: StateDetail | undefined;
    const secondHandshake = new Promise<void>((resolve) => {
      rt.on("state", (s, detail) => {
        states.push(s);
        if (s === "backing-off") lost ??= detail;
        if (s === "connected" && handshakes >= 2) resolve();
      });
    });
    rt.watchRoom(ROOM, null);
    rt.start();
    await secondHandshake;
    rt.stop();
    assert.deepEqual(states.slice(0, 4), ["connecting", "connected", "backing-off", "connecting"]);
    // Either the unanswered ping times out or the watchdog sees the silence first; both mean "dead".
    assert.match(lost?.error?.message ?? "", /no answer from Gitter|timed out/);
    assert.equal(typeof lost?.delayMs, "number");
    assert.equal(states.at(-1), "stopped");
  });

  it("treats a gap in ext.c as lost pushes and reconnects", T, async () => {
    mode = "gap";
    handshakes = 0;
    const rt = new GitterRealtime({
      fayeUrl: url,
      token: "c".repeat(40),
      userId: "5f00000000000000000000b2",
      fetchMissed: async () => [],
      livenessTimeoutMs: 5_000,
      backoff: { baseMs: 10, maxMs: 50 },
    });
    const lost = new Promise<StateDetail>((resolve) => rt.on("state", (s, d) => s === "backing-off" && resolve(d)));
    rt.watchRoom(ROOM, null);
    rt.start();
    const detail = await lost;
    rt.stop();
    assert.match(detail.error?.message ?? "", /sequence gap: expected 2, got 3/);
  });
});
