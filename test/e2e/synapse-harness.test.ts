// Proves the Synapse harness: a real Synapse starts with our registration, a Matrix user registers, an
// appservice-namespaced user creates a room, and Synapse pushes a transaction to the appservice URL.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import YAML from "yaml";
import { startSynapse, type SynapseHandle } from "../harness/synapse";

interface Received {
  auth: string | undefined;
  txnId: string;
  events: Array<{ type: string; room_id: string; sender: string; state_key?: string }>;
}

describe("synapse harness", () => {
  const asToken = randomBytes(32).toString("hex");
  const hsToken = randomBytes(32).toString("hex");
  const received: Received[] = [];
  let listener: http.Server;
  let synapse: SynapseHandle;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "harness-"));
    listener = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        const m = /\/_matrix\/app\/v1\/transactions\/([^/?]+)/.exec(req.url ?? "");
        if (req.method === "PUT" && m) {
          received.push({ auth: req.headers.authorization, txnId: m[1], events: JSON.parse(body).events });
        }
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((r) => listener.listen(0, "127.0.0.1", r));
    const port = (listener.address() as { port: number }).port;
    const registration = {
      id: "harness-test",
      url: `http://127.0.0.1:${port}`,
      as_token: asToken,
      hs_token: hsToken,
      sender_localpart: "harnessbot",
      rate_limited: false,
      namespaces: { users: [{ exclusive: true, regex: "^@harness_.*:localhost$" }], aliases: [], rooms: [] },
    };
    await writeFile(path.join(dir, "registration.yaml"), YAML.stringify(registration));
    synapse = await startSynapse({ registrationPath: path.join(dir, "registration.yaml") });
  });

  after(async () => {
    await synapse?.stop();
    await new Promise((r) => listener?.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  it("runs Synapse with the registration and delivers transactions to the appservice", async () => {
    const alice = await synapse.registerUser("alice", "alice-password");
    assert.equal(alice.userId, "@alice:localhost");

    const as = (p: string, init: RequestInit = {}) =>
      fetch(`${synapse.url}${p}`, {
        ...init,
        headers: { authorization: `Bearer ${asToken}`, "content-type": "application/json" },
      });
    const reg = await as("/_matrix/client/v3/register", {
      method: "POST",
      body: JSON.stringify({ type: "m.login.application_service", username: "harness_ghost" }),
    });
    assert.equal(reg.status, 200, await reg.text());

    const created = await as("/_matrix/client/v3/createRoom?user_id=@harness_ghost:localhost", {
      method: "POST",
      body: JSON.stringify({ preset: "private_chat", invite: [alice.userId], name: "harness room" }),
    });
    assert.equal(created.status, 200);
    const { room_id: roomId } = (await created.json()) as { room_id: string };

    const deadline = Date.now() + 20_000;
    const invite = () =>
      received
        .flatMap((t) => t.events)
        .find((e) => e.room_id === roomId && e.type === "m.room.member" && e.state_key === alice.userId);
    while (!invite() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.ok(invite(), "the invite reached the appservice in a transaction");
    assert.ok(received.every((t) => t.auth === `Bearer ${hsToken}`), "Synapse authenticates with the hs_token");
  });
});
