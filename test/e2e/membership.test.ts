// Ghosts in a portal follow the Gitter room: the most recently active people when it opens (up to the cap),
// then everyone who joins or leaves on Gitter; and a ghost's name and avatar follow the Gitter profile, the
// avatar uploaded once per change. Real Synapse, the emulator, the bridge process.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { BOT, ghost, startStack, type Stack } from "../harness/e2e-stack";
import type { MatrixUser } from "../harness/matrix-user";
import { eventually } from "../harness/stack";

const LOBBY = "gitter-demo/lobby";

describe("portal membership and ghost profiles", { timeout: 120_000 }, () => {
  let stack: Stack;
  let alice: MatrixUser;
  let lobby: string;
  let adminToken: string;

  const members = async () => new Set(await alice.client.getJoinedRoomMembers(lobby));
  const waitMembers = (pred: (m: Set<string>) => boolean, what: string) =>
    eventually(async () => {
      const m = await members();
      return pred(m) ? m : undefined;
    }, what);
  /** Media the bot uploaded (ghost avatars), per Synapse's admin API. */
  const botUploads = async (): Promise<number> => {
    const res = await fetch(`${stack.synapse.url}/_synapse/admin/v1/users/${encodeURIComponent(BOT)}/media`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    assert.equal(res.status, 200);
    return ((await res.json()) as { total: number }).total;
  };
  const profile = (mxid: string) => alice.client.getUserProfile(mxid) as Promise<{ displayname?: string; avatar_url?: string }>;

  before(async () => {
    // Lobby has five other people; with a cap of 2 only the two most recently active come in at first.
    stack = await startStack({ name: "membership", maxPortalMembers: 2 });
    adminToken = (await stack.synapse.registerUser("admin", "admin-pass", true)).accessToken;
    alice = await stack.matrixUser("alice");
    await stack.logIn(alice, "alice");
    lobby = await alice.waitForInvite((i) => i.name === LOBBY);
    await alice.client.joinRoom(lobby);
  });

  after(async () => {
    await stack?.stop();
  });

  it("opens a portal with the most recently active people, up to the cap", async () => {
    const m = await waitMembers((s) => s.has(ghost("carol")) && s.has(ghost("bob")), "carol's and bob's ghosts");
    assert.deepEqual([...m].sort(), [BOT, "@alice:localhost", ghost("bob"), ghost("carol")].sort());
  });

  it("brings in someone who joins on Gitter, past the cap", async () => {
    await stack.gitter("/users", "POST", { username: "gina", displayName: "Gina Gray" });
    await stack.gitter(`/rooms/${encodeURIComponent(LOBBY)}/members`, "POST", { user: "gina" });
    await waitMembers((s) => s.has(ghost("gina")), "gina's ghost");
    assert.equal((await profile(ghost("gina"))).displayname, "Gina Gray (Gitter)");
    await stack.gitter(`/rooms/${encodeURIComponent(LOBBY)}/members`, "POST", { user: "frank" }); // already in: no event
    await stack.postAs("gina", LOBBY, "hi all");
    await alice.waitForMessage(lobby, ghost("gina"), /hi all/);
    assert.equal((await members()).has(ghost("frank")), false, "a join that changed nothing brings nobody in");
  });

  it("takes a ghost out when its Gitter user leaves, after what they said last", async () => {
    await stack.postAs("carol", LOBBY, "bye for now");
    await stack.gitter(`/rooms/${encodeURIComponent(LOBBY)}/members/carol`, "DELETE");
    await alice.waitForMessage(lobby, ghost("carol"), /bye for now/);
    await waitMembers((s) => !s.has(ghost("carol")), "carol's ghost to leave");
    const state = await alice.client.getRoomStateEvent(lobby, "m.room.member", ghost("carol"));
    assert.equal(state.membership, "leave");

    await stack.gitter(`/rooms/${encodeURIComponent(LOBBY)}/members/gina`, "DELETE");
    await waitMembers((s) => !s.has(ghost("gina")), "gina's ghost to leave");
    await stack.gitter(`/rooms/${encodeURIComponent(LOBBY)}/members`, "POST", { user: "carol" });
    await waitMembers((s) => s.has(ghost("carol")), "carol's ghost to come back");
    assert.ok((await members()).has(ghost("bob")), "others stay");
  });

  it("follows the user's own joins and leaves on Gitter with portals", async () => {
    await stack.gitter(`/rooms/${encodeURIComponent("gitter-demo/random")}/members`, "POST", { user: "alice" });
    const random = await alice.waitForInvite((i) => i.name === "gitter-demo/random");
    await alice.client.joinRoom(random);
    await stack.postAs("erin", "gitter-demo/random", "welcome alice");
    await alice.waitForMessage(random, ghost("erin"), /welcome alice/);
    await stack.gitter(`/rooms/${encodeURIComponent("gitter-demo/random")}/members/alice`, "DELETE");
    await alice.waitForMembership(random, "leave");
    const me = await alice.client.getRoomStateEvent(random, "m.room.member", "@alice:localhost");
    assert.match(String(me.reason), /You left this room on Gitter/, "the bridge closed the portal, saying why");
    assert.equal(alice.membership(lobby), "join", "other portals stay");
  });

  it("keeps a ghost's avatar, uploading it once, while the Gitter profile does not change", async () => {
    const first = await profile(ghost("bob"));
    assert.equal(first.displayname, "Bob Brown (Gitter)");
    assert.match(first.avatar_url ?? "", /^mxc:\/\//);
    const uploads = await botUploads();
    for (const text of ["one", "two"]) {
      await stack.postAs("bob", LOBBY, `message ${text}`);
      await alice.waitForMessage(lobby, ghost("bob"), new RegExp(`message ${text}`));
    }
    assert.equal(await botUploads(), uploads, "no new upload for messages from an unchanged profile");
    assert.equal((await profile(ghost("bob"))).avatar_url, first.avatar_url);
  });

  it("shows Gitter's new name and avatar with the next message, and uploads the new avatar once", async () => {
    const before = await profile(ghost("bob"));
    const uploads = await botUploads();
    await stack.gitter("/users/bob", "PATCH", { displayName: "Robert Brown", avatar: "#101010" });
    await stack.postAs("bob", LOBBY, "new look");
    await alice.waitForMessage(lobby, ghost("bob"), /new look/);
    const after = await profile(ghost("bob"));
    assert.equal(after.displayname, "Robert Brown (Gitter)");
    assert.match(after.avatar_url ?? "", /^mxc:\/\//);
    assert.notEqual(after.avatar_url, before.avatar_url);
    const member = await alice.client.getRoomStateEvent(lobby, "m.room.member", ghost("bob"));
    assert.equal(member.displayname, "Robert Brown (Gitter)", "the room shows the new name by the time the message is there");
    assert.equal(member.avatar_url, after.avatar_url, "and the new avatar");
    assert.equal(await botUploads(), uploads + 1);

    await stack.gitter("/users/bob", "PATCH", { displayName: "Rob" });
    await stack.postAs("bob", LOBBY, "renamed only");
    await alice.waitForMessage(lobby, ghost("bob"), /renamed only/);
    assert.equal((await profile(ghost("bob"))).displayname, "Rob (Gitter)");
    assert.equal((await profile(ghost("bob"))).avatar_url, after.avatar_url, "a new name keeps the avatar");
    assert.equal(await botUploads(), uploads + 1, "a new name uploads nothing");
  });

  it("after a restart, closes the portal of a room left on Gitter meanwhile, and uploads no avatar again", async () => {
    const dev = await alice.waitForInvite((i) => i.name === "gitter-demo/dev");
    await alice.client.joinRoom(dev);
    const uploads = await botUploads();
    const before = await profile(ghost("bob"));
    assert.equal(await stack.bridge.stop(), 0);
    await stack.gitter(`/rooms/${encodeURIComponent("gitter-demo/dev")}/members/alice`, "DELETE");
    await stack.restartBridge();
    await alice.waitForMembership(dev, "leave");
    const me = await alice.client.getRoomStateEvent(dev, "m.room.member", "@alice:localhost");
    assert.match(String(me.reason), /You left this room on Gitter/);
    await stack.postAs("bob", LOBBY, "after restart");
    await alice.waitForMessage(lobby, ghost("bob"), /after restart/);
    assert.deepEqual(await profile(ghost("bob")), before);
    assert.equal(await botUploads(), uploads);
  });
});
