// GitterRealtime against a Bayeux server that accepts the session and then goes silent (no connect
// answers, no ping answers: a dead TCP path or a stuck server). The client must notice and reconnect.
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

type Msg = { channel: string; id?: string; clientId?: string; subscription?: string };

/** Answers handshakes and subscriptions; never answers connects or pings. */
function silentBayeux(req: http.IncomingMessage, res: http.ServerResponse): void {
  let body = "";
  req.on("data", (c: Buffer) => (body += c.toString()));
  req.on("end", () => {
    const [m] = JSON.parse(body) as Msg[];
    if (m.channel === "/meta/connect" || m.channel === "/api/v1/ping2") return;
    if (m.channel === "/meta/handshake") handshakes += 1;
    const reply = { ...m, successful: true, clientId: `client${handshakes}`, advice: { reconnect: "retry", interval: 0, timeout: 60_000 } };
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify([reply]));
  });
}

before(async () => {
  server = http.createServer(silentBayeux);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/bayeux`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("GitterRealtime liveness", () => {
  it("gives up a session that stops answering, and reconnects", T, async () => {
    const rt = new GitterRealtime({
      fayeUrl: url,
      token: "c".repeat(40),
      userId: "5f00000000000000000000b2",
      fetchMissed: async () => [],
      livenessTimeoutMs: 300,
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
    rt.watchRoom("5f00000000000000000000a1", null);
    rt.start();
    await secondHandshake;
    rt.stop();
    assert.deepEqual(states.slice(0, 4), ["connecting", "connected", "backing-off", "connecting"]);
    // Either the unanswered ping times out or the watchdog sees the silence first; both mean "dead".
    assert.match(lost?.error?.message ?? "", /no answer from Gitter|timed out/);
    assert.equal(typeof lost?.delayMs, "number");
    assert.equal(states.at(-1), "stopped");
  });
});
