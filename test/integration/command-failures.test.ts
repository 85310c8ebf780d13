// What the bot answers when a command fails on someone else's side, through the bridge process against the
// Gitter emulator (its control API failing requests on purpose) and a no-op homeserver: the answer names Gitter
// and says to try again, and echoes neither the token nor what Gitter sent.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { configureLogging } from "../../src/util/log";
import { startStubStack, type StubStack } from "../harness/stub-stack";

configureLogging({ level: "warn" });

const ALICE = "@alice:localhost";
const CONTROL = "!control:localhost";
const TOKEN = "f".repeat(40);

describe("a command failing on Gitter's side", { timeout: 120_000 }, () => {
  let stack: StubStack;

  const fault = (body: Record<string, unknown>) =>
    fetch(`${stack.emulator.url}/_emulator/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  /** Sends `line` in alice's control room and resolves with the bot's answer to it. */
  const command = (line: string) => stack.command(ALICE, CONTROL, line);

  before(async () => {
    stack = await startStubStack({
      name: "failures",
      fixture: {
        users: [{ username: "alice" }, { username: "bob" }],
        rooms: [{ uri: "failures/room", members: ["alice", "bob"] }],
        tokens: [{ user: "alice", clientId: "failures-client", token: TOKEN }],
      },
      logins: [{ mxid: ALICE, username: "alice", token: TOKEN }],
      controlRooms: { [ALICE]: CONTROL },
      waitConnected: true,
    });
  });

  afterEach(async () => {
    await fetch(`${stack.emulator.url}/_emulator/faults`, { method: "DELETE" });
  });

  after(() => stack?.stop());

  it("answers `list` during a Gitter 503 with Gitter not answering and a retry, not a bridge failure", async () => {
    // More than the client's attempts: the answer comes once its retries are spent.
    assert.equal((await fault({ mode: "before", status: 503, count: 50, method: "GET", path: "^/rooms$" })).status, 200);
    const text = await command("list");
    assert.match(text, /Gitter is not answering at the moment \(503\)/);
    assert.match(text, /try again/i);
    assert.doesNotMatch(text, /bridge's side/);
    assert.doesNotMatch(text, /Injected fault|ffff/, "neither Gitter's body nor the token");
  });

  it("answers `search` while Gitter drops the connection with Gitter not answering and a retry", async () => {
    assert.equal((await fault({ mode: "drop", count: 50, method: "GET", path: "^/rooms$" })).status, 200);
    const text = await command("search failures");
    assert.match(text, /^Sorry, `search` did not work: Gitter is not answering at the moment\. Try again in a moment\.$/);
  });

  it("answers `list` as usual once Gitter is back", async () => {
    assert.match(await command("list"), /failures\/room/);
  });
});
