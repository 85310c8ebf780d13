// A Mattermost bridge killed (kill -9) and started again on real Synapse: what was posted on Mattermost while it
// was down, in a channel and a direct channel, arrives once and in order, and what the user wrote in Matrix
// meanwhile reaches Mattermost once and in order. Then a token revoked on Mattermost is noticed and said.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { loadFixture } from "../../emulator/mattermost/fixture";
import { MM_BOT, mmGhost, startMmStack, type MmMatrixUser, type MmStack } from "../harness/mm-stack";
import { eventually } from "../harness/stack";

const FIXTURE = loadFixture(path.resolve(__dirname, "../../fixtures/mattermost-test.yaml"));
const ALICE_TOKEN = "a".repeat(26);

describe("Mattermost bridge restarts and revoked tokens on real Synapse", { timeout: 240_000 }, () => {
  let stack: MmStack;
  let alice: MmMatrixUser;
  let dev: string;
  let dm: string;

  before(async () => {
    stack = await startMmStack({ fixture: FIXTURE, name: "mm-restart" });
    alice = await stack.newMatrixUser("alice");
    await stack.loginWithToken(alice, ALICE_TOKEN, "alice");
    dev = await alice.matrix.waitForInvite((i) => i.name === "Development (Acme)", 60_000);
    dm = await alice.matrix.waitForInvite((i) => i.isDirect && i.inviter === mmGhost("bob"), 60_000);
    await alice.matrix.client.joinRoom(dev);
    await alice.matrix.client.joinRoom(dm);
  });

  after(async () => {
    await stack?.stop();
  });

  const userId = (name: string) => stack.emulator.state.userByName(name)!.id;
  const devId = () => [...stack.emulator.state.channels.values()].find((c) => c.name === "dev")!.id;
  const postsIn = (channel: string, re: RegExp) =>
    [...stack.emulator.state.posts.values()].filter((p) => p.channel_id === channel && !p.delete_at && re.test(p.message)).sort((a, b) => a.create_at - b.create_at);

  it("catches up after kill -9: posts made while it was down arrive once, in order, both ways", async () => {
    await stack.postAs("bob", "acme/dev", "before the crash");
    await alice.matrix.waitForMessage(dev, mmGhost("bob"), /before the crash/);
    await stack.bridge.kill();
    const down = Array.from({ length: 6 }, (_, i) => `while down ${i}`);
    for (const text of down) await stack.postAs("bob", "acme/dev", text);
    await stack.postAs("bob", "alice,bob", "dm while down");
    const fromMatrix = Array.from({ length: 3 }, (_, i) => `matrix while down ${i}`);
    for (const text of fromMatrix) await alice.matrix.client.sendText(dev, text);
    await stack.restartBridge();

    await alice.matrix.waitForMessage(dev, mmGhost("bob"), /while down 5/, 60_000);
    await alice.matrix.waitForMessage(dm, mmGhost("bob"), /dm while down/, 30_000);
    await eventually(() => postsIn(devId(), /^matrix while down/).length === fromMatrix.length || undefined, "alice's Matrix messages on Mattermost", 60_000);
    await new Promise((r) => setTimeout(r, 3000)); // time for a double to show
    const seen = alice.matrix.messages(dev).filter((m) => m.sender === mmGhost("bob") && /while down/.test(m.body)).map((m) => m.body);
    assert.deepEqual(seen, down, "each once, in order");
    assert.equal(alice.matrix.messages(dm).filter((m) => m.body === "dm while down").length, 1);
    const posted = postsIn(devId(), /^matrix while down/);
    assert.deepEqual(posted.map((p) => p.message), fromMatrix, "each once, in order");
    assert.ok(posted.every((p) => p.user_id === userId("alice")));
  });

  it("keeps bridging live after the restart", async () => {
    await stack.postAs("bob", "acme/dev", "after the restart");
    await alice.matrix.waitForMessage(dev, mmGhost("bob"), /after the restart/, 30_000);
  });

  it("notices a token revoked on Mattermost and tells the user", async () => {
    await stack.control(`/tokens/${ALICE_TOKEN}`, { method: "DELETE" });
    const notice = await alice.matrix.waitForMessage(alice.controlRoom, MM_BOT, /no longer accepts your login/, 60_000);
    assert.doesNotMatch(notice.body, new RegExp(ALICE_TOKEN), "the token is never shown");
    assert.ok(!stack.bridgeLines().some((l) => l.includes(ALICE_TOKEN)), "the token is never logged");
    await stack.postAs("bob", "acme/dev", "after the revocation");
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(alice.matrix.messages(dev).filter((m) => /after the revocation/.test(m.body)).length, 0, "nothing is bridged on a dead login");
  });

  it("notices an account deactivated on Mattermost and tells its user", async () => {
    const bob = await stack.newMatrixUser("bob");
    await stack.loginWithToken(bob, "b".repeat(26), "bob");
    await bob.matrix.waitForInvite((i) => i.name === "Development (Acme)", 60_000);
    await stack.control("/users/bob/deactivate", { method: "POST" });
    await bob.matrix.waitForMessage(bob.controlRoom, MM_BOT, /no longer accepts your login/, 60_000);
  });
});
