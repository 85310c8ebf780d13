// The tests' free-port helper (test/harness/ports.ts) never hands out a port twice in one process: a bridge given the
// same port for its appservice and its web listener refuses its config, and a run of the e2e suite failed so.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { freePort, freshPorts } from "../harness/ports";

describe("free ports for test servers", () => {
  it("skips a port the system hands out again", async () => {
    const answers = [40001, 40001, 40001, 40002];
    const next = freshPorts(async () => answers.shift()!);
    assert.deepEqual([await next(), await next()], [40001, 40002]);
  });

  it("gives up, saying why, when the system keeps handing out the same port", async () => {
    const next = freshPorts(async () => 40003);
    await next();
    await assert.rejects(next(), /not given before/);
  });

  it("gives distinct real ports", async () => {
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    assert.equal(new Set(ports).size, ports.length);
  });
});
