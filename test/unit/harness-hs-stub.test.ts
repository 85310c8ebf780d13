// The homeserver stub (test/harness/hs-stub.ts) drops the answers it holds back (delayMs) when it stops: a held
// answer's timer kept a test file's process alive for the rest of its delay after the file's last test.
import assert from "node:assert/strict";
import http from "node:http";
import { describe, it } from "node:test";
import { startHomeserverStub } from "../harness/hs-stub";

/** How many timers keep this process alive now. */
const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;

describe("the homeserver stub", () => {
  it("leaves no timer behind for an answer it still held back when it stopped", async () => {
    const before = timers();
    const hs = await startHomeserverStub({ delayMs: (route) => (route === "versions" ? 60_000 : undefined) });
    const listening = timers();
    const answered = new Promise<void>((resolve) => {
      const req = http.get(`${hs.url}/_matrix/client/versions`, { agent: false }, () => resolve());
      req.on("error", () => resolve());
    });
    // The request has come in whole once the stub holds its answer back on a timer.
    while (timers() === listening) await new Promise((r) => setImmediate(r));
    await hs.stop();
    await answered;
    assert.equal(timers(), before);
  });
});
