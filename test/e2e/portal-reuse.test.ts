// Portals outlive a logout: logging in again brings the user back into the same Matrix rooms, history and all;
// gjoin of a one-to-one they already have invites them back or says they are there; and a direct chat the user
// started from Matrix is left by the bridge on logout. On real parts: Synapse, the emulator, the bridge process.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { BOT, ghost, startStack, type Stack } from "../harness/e2e-stack";
import type { MatrixUser } from "../harness/matrix-user";
import { eventually } from "../harness/stack";

const LOBBY = "gitter-demo/lobby";

describe("portals reused across logout and login", { timeout: 300_000 }, () => {
  let s: Stack;
  let alice: MatrixUser;
  let control: string;
  let lobby: string;
  let bobDm: string;
  let erinDm: string;

  before(async () => {
    s = await startStack({ name: "portal-reuse" });
    alice = await s.matrixUser("alice");
    control = await s.logIn(alice, "alice");
    lobby = await alice.waitForInvite((i) => i.name === LOBBY);
    bobDm = await alice.waitForInvite((i) => i.isDirect && i.inviter === ghost("bob"));
    await alice.client.joinRoom(lobby);
    await alice.client.joinRoom(bobDm);
  });

  after(async () => {
    await s?.stop();
  });

  /** Bodies of the room's messages as the user's client reads them from the server (not from its sync). */
  async function history(roomId: string): Promise<string[]> {
    const res = (await alice.client.doRequest("GET", `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/messages`, {
      dir: "b",
      limit: 100,
    })) as { chunk: Array<{ type: string; content: { body?: string } }> };
    return res.chunk.filter((e) => e.type === "m.room.message").map((e) => String(e.content.body));
  }

  it("says so when gjoin names a one-to-one chat the user is already in", async () => {
    await alice.client.sendText(control, "gjoin bob");
    const reply = await alice.waitForMessage(control, BOT, /one-to-one/);
    assert.match(reply.body, /already in/);
    assert.doesNotMatch(reply.body, /invited/);
  });

  it("invites the user back into the same direct room on gjoin after they left it", async () => {
    await alice.client.leaveRoom(bobDm);
    await alice.waitForMembership(bobDm, "leave");
    await alice.client.sendText(control, "gjoin bob");
    await alice.waitForMembership(bobDm, "invite");
    assert.deepEqual(alice.lastInvite.get(bobDm), { isDirect: true, inviter: ghost("bob") });
    await alice.waitForMessage(control, BOT, /Joined .*one-to-one.*You have been invited/);
    await alice.client.joinRoom(bobDm);
  });

  it("has the bridge leave a direct chat the user started from Matrix when they log out", async () => {
    erinDm = await alice.client.createRoom({ invite: [ghost("erin")], is_direct: true, preset: "trusted_private_chat" });
    await eventually(async () => {
      const members = await alice.client.getJoinedRoomMembers(erinDm);
      return members.includes(ghost("erin")) && members.includes(BOT);
    }, "erin's ghost and the bot in the room");
    await s.postAs("bob", LOBBY, "said before logout");
    await alice.waitForMessage(lobby, ghost("bob"), /^said before logout$/);

    await alice.client.sendText(control, "logout");
    await alice.waitForMessage(control, BOT, /You are logged out/);
    await alice.waitForMembership(lobby, "leave");
    await alice.waitForMembership(bobDm, "leave");
    await eventually(async () => {
      const members = await alice.client.getJoinedRoomMembers(erinDm);
      return !members.includes(ghost("erin")) && !members.includes(BOT);
    }, "erin's ghost and the bot gone from the Matrix-started chat");
  });

  it("invites the user back into the same rooms on the next login, with their history", async () => {
    control = await s.logIn(alice, "alice");
    await alice.waitForMembership(lobby, "invite");
    await alice.waitForMembership(bobDm, "invite");
    assert.deepEqual(alice.lastInvite.get(bobDm), { isDirect: true, inviter: ghost("bob") });
    await alice.client.joinRoom(lobby);
    await alice.client.joinRoom(bobDm);
    assert.ok((await history(lobby)).includes("said before logout"), "the history before logout is still there");
    const members = await alice.client.getJoinedRoomMembers(lobby);
    assert.ok(members.includes(BOT) && members.includes(ghost("bob")), "the bot and the ghosts are still in the room");
    await s.postAs("carol", LOBBY, "after the second login");
    await alice.waitForMessage(lobby, ghost("carol"), /^after the second login$/);
    await alice.client.sendText(lobby, "back again");
    await eventually(async () => (await s.gitterLog(LOBBY)).some((m) => m.text === "back again" && m.fromUser.username === "alice"), "alice's message on Gitter");
    const erinAgain = await alice.waitForInvite((i) => i.isDirect && i.inviter === ghost("erin"));
    assert.notEqual(erinAgain, erinDm, "the chat started from Matrix comes back in a new room the ghost made");
    const opened = alice.invites.filter((i) => i.name === LOBBY || (i.isDirect && i.inviter === ghost("bob")));
    assert.deepEqual(opened.map((i) => i.roomId).sort(), [lobby, bobDm].sort(), "no new room for the lobby or the chat with bob");
  });
});
