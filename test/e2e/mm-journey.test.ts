// A Mattermost user's first steps on real parts: Synapse, the Mattermost emulator, the bridge configured
// `network: mattermost` as its own process, and the OAuth link followed in headless Chromium through the bridge's
// page and Mattermost's sign-in and consent pages. Then every channel of theirs, across teams, is a portal:
// channels as private rooms named "channel (team)", the direct channel as a Matrix direct chat with its ghost,
// the group message as a room with all its ghosts.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { loadFixture } from "../../emulator/mattermost/fixture";
import { launchBrowser, type BrowserHandle } from "../harness/browser";
import { MM_BOT, mmGhost, startMmStack, type MmMatrixUser, type MmStack } from "../harness/mm-stack";
import { joinedMembers, stateOf } from "../harness/matrix-events";
import { eventually } from "../harness/stack";

const FIXTURE = loadFixture(path.resolve(__dirname, "../../fixtures/mattermost-test.yaml"));

describe("Mattermost journey: login in a browser, portals", { timeout: 240_000 }, () => {
  let stack: MmStack;
  let browser: BrowserHandle;
  let alice: MmMatrixUser & { loginLink: string };

  before(async () => {
    stack = await startMmStack({ fixture: FIXTURE, name: "mm-journey" });
    browser = await launchBrowser();
    alice = await stack.newMatrixUser("alice");
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("logs in through the bridge's page and Mattermost's sign-in and consent pages in a browser, and the code", async () => {
    const page = await browser.newPage();
    await page.goto(alice.loginLink);
    const confirm = (await page.textContent("main")) ?? "";
    assert.match(confirm, /linking Mattermost to the Matrix account @alice:localhost/);
    assert.doesNotMatch(`${await page.title()} ${confirm}`, /Gitter/);
    await page.click("text=Continue to Mattermost");
    await page.waitForURL(/\/oauth\/authorize/);
    await page.fill("#login_id", "alice");
    await page.fill("#password", "alice-pw");
    await page.click("button[type=submit]");
    await page.click("button[value=true]");
    await page.waitForURL(/\/oauth\/callback/);
    const done = (await page.textContent("main")) ?? "";
    assert.match(done, /Mattermost approved the login of alice/);
    assert.doesNotMatch(`${await page.title()} ${done}`, /Gitter/);
    const code = (await page.textContent("#login-code"))!;
    assert.match(code, /^login \S+$/);
    await alice.matrix.client.sendText(alice.controlRoom, code);
    await alice.matrix.waitForMessage(alice.controlRoom, MM_BOT, /logged in to \w+ as alice\b/, 60_000);
  });

  it("opens each channel of every team as a private portal named after the channel and its team", async () => {
    const names = ["Town Square (Acme)", "Development (Acme)", "Town Square (Beta Team)"];
    for (const name of names) {
      const roomId = await alice.matrix.waitForInvite((i) => i.name === name, 60_000);
      assert.equal(alice.matrix.lastInvite.get(roomId)?.isDirect, false, `${name} is not a direct chat`);
      await alice.matrix.client.joinRoom(roomId);
      const joinRules = await stateOf(alice.matrix.client, roomId, "m.room.join_rules");
      assert.equal(joinRules?.join_rule, "invite", `${name} is private`);
    }
    const lobby = alice.matrix.invites.find((i) => /Lobby|Secret/.test(i.name ?? ""));
    assert.equal(lobby, undefined, "no portal for channels alice is not in");
  });

  it("opens the direct channel as a Matrix direct chat from bob's ghost, named by his display name", async () => {
    const dm = await alice.matrix.waitForInvite((i) => i.isDirect && i.inviter === mmGhost("bob"), 60_000);
    await alice.matrix.client.joinRoom(dm);
    const members = await eventually(async () => {
      const m = await joinedMembers(alice.matrix.client, dm);
      return m.has(mmGhost("bob")) ? m : undefined;
    }, "bob's ghost in the direct chat");
    assert.equal(members.get(mmGhost("bob")), "bob (Mattermost)");
    assert.ok(!members.has(mmGhost("alice")), "alice's own ghost is not in her direct chat");
  });

  it("opens the group message as a room with all its ghosts", async () => {
    const group = await alice.matrix.waitForInvite((i) => i.name === "bob, carol", 60_000);
    assert.equal(alice.matrix.lastInvite.get(group)?.isDirect, false);
    await alice.matrix.client.joinRoom(group);
    const members = await eventually(async () => {
      const m = await joinedMembers(alice.matrix.client, group);
      return m.has(mmGhost("bob")) && m.has(mmGhost("carol")) ? m : undefined;
    }, "bob's and carol's ghosts in the group", 30_000);
    assert.equal(members.get(mmGhost("carol")), "carol (Mattermost)");
  });

  it("shows the channel's people as ghosts with their Mattermost names", async () => {
    const town = alice.matrix.invites.find((i) => i.name === "Town Square (Acme)")!.roomId;
    const members = await eventually(async () => {
      const m = await joinedMembers(alice.matrix.client, town);
      return m.has(mmGhost("bob")) && m.has(mmGhost("carol")) ? m : undefined;
    }, "town square's ghosts", 30_000);
    assert.equal(members.get(mmGhost("bob")), "bob (Mattermost)");
  });

  it("follows the user joining and leaving a channel on Mattermost", async () => {
    await stack.control("/members", { method: "POST", body: { user: "alice", channel: "acme/lobby", as: "carol" } });
    const lobby = await alice.matrix.waitForInvite((i) => i.name === "Lobby (Acme)", 60_000);
    await alice.matrix.client.joinRoom(lobby);
    await stack.postAs("carol", "acme/lobby", "welcome alice");
    await alice.matrix.waitForMessage(lobby, mmGhost("carol"), /welcome alice/);
    await stack.control("/members", { method: "DELETE", body: { user: "alice", channel: "acme/lobby" } });
    await alice.matrix.waitForMembership(lobby, "leave", 30_000);
  });
});
