// The crash test's traffic (test/harness/crash-traffic.ts) around a Synapse restart: pausing the Matrix side must
// wait for the message being sent, and the driver must be able to wait until every Matrix message reached Gitter,
// so that Synapse is never stopped with a message it has not handed to the bridge (see restartSynapse).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { BridgedStack } from "../harness/bridged-stack";
import { seededRandom } from "../harness/crash-compare";
import { gitterDriver } from "../harness/crash-network";
import { Traffic } from "../harness/crash-traffic";

const ROOM = "crash/room1";

/** A stack with only what Traffic touches: the Matrix user's sends are held until released; Gitter is a list. */
function fakeStack() {
  const gitter: Array<{ text: string; fromUser: { username: string } }> = [];
  const held: Array<{ text: string; release: () => void }> = [];
  const client = {
    doRequest: (_method: string, _path: string, _qs: unknown, body: { body: string }) =>
      new Promise<void>((release) => held.push({ text: body.body, release })),
  };
  const stack = {
    users: new Map([["alice", { matrix: { client }, portals: new Map([[ROOM, "!room:localhost"]]) }]]),
    control: async (p: string) => (p.startsWith("/messages?") ? gitter : {}),
    postAs: async () => ({ id: "x" }),
  };
  // Only the members above are used by Traffic; the rest of BridgedStack (processes, Synapse) is not.
  return { stack: stack as unknown as BridgedStack, gitter, held };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(check(), "condition never met");
}

function settledWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  return Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);
}

describe("crash traffic around a Synapse restart", () => {
  it("pausing the Matrix side waits until the message being sent was accepted", async () => {
    const { stack, held } = fakeStack();
    const traffic = new Traffic({
      stack, network: gitterDriver(stack), user: "alice", gitterUser: "alice", rooms: [ROOM], posters: ["bob"], random: seededRandom(1), runId: "t",
      gitterShare: 0, gapMs: [0, 0],
    });
    traffic.start();
    await until(() => held.length === 1);
    const pausing = traffic.pauseMatrix(true);
    assert.equal(await settledWithin(pausing, 50), false, "paused while a Matrix message was still being sent");
    held[0].release();
    assert.equal(await settledWithin(pausing, 1000), true);
    await traffic.stop();
    assert.equal(held.length, 1, "nothing sent from Matrix while paused");
  });

  it("tells when every message sent from Matrix is on Gitter", async () => {
    const { stack, gitter, held } = fakeStack();
    const traffic = new Traffic({
      stack, network: gitterDriver(stack), user: "alice", gitterUser: "alice", rooms: [ROOM], posters: ["bob"], random: seededRandom(2), runId: "t",
      gitterShare: 0, gapMs: [0, 0],
    });
    traffic.start();
    await until(() => held.length === 1);
    held[0].release();
    await traffic.pauseMatrix(true);
    await traffic.stop();
    assert.equal(await traffic.matrixBridged(0), false, "not on Gitter yet");
    gitter.push({ text: "m2g-t-other-room-9", fromUser: { username: "alice" } }, { text: held[0].text, fromUser: { username: "bob" } });
    assert.equal(await traffic.matrixBridged(0), false, "posted by someone else is not bridged");
    const waiting = traffic.matrixBridged(5000);
    gitter.push({ text: held[0].text, fromUser: { username: "alice" } });
    assert.equal(await waiting, true);
  });
});
