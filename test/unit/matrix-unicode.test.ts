// Text that is not valid Unicode (a lone half of a surrogate pair, from wire data or a string cut inside an emoji)
// must not reach the homeserver as such: Synapse cannot store it and answers 500, so the event would be lost.
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { MatrixClient } from "../../src/matrix/client";
import { configureLogging } from "../../src/util/log";

configureLogging({ level: "error" });

describe("text sent to the homeserver", () => {
  const bodies: string[] = [];
  let server: http.Server;
  let url: string;
  before(async () => {
    server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString("utf8")));
      req.on("end", () => {
        bodies.push(body);
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ event_id: "$e" }));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise((r) => server.close(r)));

  it("replaces lone surrogates with U+FFFD and keeps real pairs", async () => {
    const client = MatrixClient.connect({ homeserverUrl: url, asToken: "t", userId: "@bot:example.org" });
    const emoji = "😀";
    const body = `cut ${emoji.slice(0, 1)} here, ${emoji.slice(1)} there, whole ${emoji}`;
    await client.as("@bot:example.org").sendEvent("!r:example.org", "m.room.message", { msgtype: "m.text", body, [`key${emoji}`]: ["\udfff"] }, "txn1");
    const sent = JSON.parse(bodies.at(-1)!) as Record<string, unknown>;
    assert.equal(sent.body, `cut \ufffd here, \ufffd there, whole ${emoji}`);
    assert.deepEqual(sent[`key${emoji}`], ["\ufffd"]);
    assert.doesNotMatch(bodies.at(-1)!, /\\ud[89a-f]/i);
  });
});
