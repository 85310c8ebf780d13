// Where a new portal starts: after the Gitter room's newest message, thread replies included, so that nothing said
// before the portal opened is bridged into it, and everything after is. Real Synapse, the emulator, the bridge.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { BOT, ghost, startFidelityStack, type FidelityStack } from "./fidelity-stack";

const RANDOM = "gitter-demo/random";

describe("where a new portal starts", { timeout: 300_000 }, () => {
  let s: FidelityStack;

  before(async () => {
    s = await startFidelityStack("portal-start");
  });

  after(async () => {
    await s?.stop();
  });

  it("starts a room joined from Matrix after its newest message, an old thread reply too", async () => {
    const root = await s.postAs("bob", RANDOM, "a root from before alice came");
    await s.postAs("dave", RANDOM, "an old thread reply", root.id);
    await s.alice.client.sendText(s.control, `gjoin ${RANDOM}`);
    const room = await s.alice.waitForInvite((i) => i.name === RANDOM, 60_000);
    await s.alice.client.joinRoom(room);
    await s.postAs("bob", RANDOM, "said after the portal opened");
    // Gitter's messages of a room are bridged in order: anything older would be in before this one.
    await s.alice.waitForMessage(room, ghost("bob"), /^said after the portal opened$/, 60_000);
    const bodies = s.alice.messages(room).filter((m) => m.sender !== BOT).map((m) => m.body);
    assert.deepEqual(bodies, ["said after the portal opened"], "only what was said after the portal opened");
  });
});
