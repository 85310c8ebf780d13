// The bridge against Gitter's room and membership behaviours (docs/gitter-fidelity.md): a hidden one-to-one stays
// listed and a new message only raises its unread counts; public rooms take messages from non-members; leaving twice
// is a 404 and joining an unknown id a 500; the room list holds rooms the user was only mentioned in. Real Synapse,
// the emulator, the bridge process.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { BOT, ghost, startStack, type Stack } from "../harness/e2e-stack";
import type { MatrixUser } from "../harness/matrix-user";
import { eventually } from "../harness/stack";

const NAME = "fidelity-rooms";
const LOBBY = "gitter-demo/lobby";
const DEV = "gitter-demo/dev";
const RANDOM = "gitter-demo/random";

describe("rooms and membership as Gitter has them", { timeout: 300_000 }, () => {
  let stack: Stack;
  let alice: MatrixUser;
  let control: string;
  let lobby: string;
  let dmId: string;

  const fault = (f: Record<string, unknown>) => stack.gitter("/faults", "POST", f);
  const dmInvites = () => alice.invites.filter((i) => i.isDirect && i.inviter === ghost("bob"));
  const roomId = (uri: string) => stack.emulator.state.rooms.findByUri(uri)!.id;
  /** Sends a command in the control room and waits for the bot's next answer. */
  const command = async (text: string): Promise<string> => {
    const seen = alice.messages(control).filter((m) => m.sender === BOT).length;
    await alice.client.sendText(control, text);
    return eventually(() => alice.messages(control).filter((m) => m.sender === BOT)[seen]?.body, `an answer to ${text}`, 60_000);
  };
  /** A Gitter message bridged into the lobby: the session is up and its pushes are flowing. */
  const lobbyMarker = async (text: string) => {
    await stack.postAs("carol", LOBBY, text);
    await alice.waitForMessage(lobby, ghost("carol"), new RegExp(`^${text}$`), 60_000);
  };

  before(async () => {
    stack = await startStack({ name: NAME });
    alice = await stack.matrixUser("alice");
    control = await stack.logIn(alice, "alice");
    lobby = await alice.waitForInvite((i) => i.name === LOBBY);
    await alice.client.joinRoom(lobby);
    dmId = ((await stack.gitter("/one-to-one", "POST", { users: ["alice", "bob"] })) as { id: string }).id;
  });

  after(async () => {
    await stack?.stop();
  });

  it("opens no portal for a room where the user was only mentioned (roomMember false)", async () => {
    await stack.postAs("bob", RANDOM, "@alice have a look at this");
    await lobbyMarker("after the mention");
    const listed = (await fetch(`${stack.emulator.url}/v1/rooms`, { headers: { authorization: `Bearer ${await aliceToken()}` } }).then((r) => r.json())) as {
      id: string;
      roomMember: boolean;
    }[];
    assert.equal(listed.find((r) => r.id === roomId(RANDOM))?.roomMember, false, "Gitter lists it, as not a member");
    await stack.postAs("bob", RANDOM, "@alice still here");
    await lobbyMarker("after the second mention");
    assert.equal(alice.invites.some((i) => i.name === RANDOM), false);
  });

  it("bridges a new message into a one-to-one hidden with gpart, without a restart", async () => {
    const first = await alice.waitForInvite((i) => i.isDirect && i.inviter === ghost("bob"));
    await alice.client.joinRoom(first);
    assert.match(await command("gpart bob"), /^Left .* on Gitter\.$/);
    await alice.waitForMembership(first, "leave", 60_000);
    await stack.postAs("bob", dmId, "are you still there?");
    // The portal's room is used again (portal-reopen.ts): Bob's ghost invites Alice back into it.
    await alice.waitForMembership(first, "invite", 60_000);
    assert.deepEqual(alice.lastInvite.get(first), { isDirect: true, inviter: ghost("bob") });
    await alice.client.joinRoom(first);
    await alice.waitForMessage(first, ghost("bob"), /^are you still there\?$/, 60_000);
  });

  it("counts a leave whose answer was lost as done: the retry's 404 means the user is out", async () => {
    await fault({ mode: "after", status: 502, count: 1, method: "DELETE", path: "^/rooms/[0-9a-f]{24}/users/[0-9a-f]{24}$" });
    assert.equal(await command("gpart gitter-demo/help"), "Left gitter-demo/help on Gitter.");
    assert.equal(stack.emulator.state.isMember(stack.emulator.state.findUserByName("alice")!.id, roomId("gitter-demo/help")), false);
  });

  it("tells the user a room is gone when joining its id answers 500 and the room is not found", async () => {
    await fault({ mode: "before", status: 500, count: 4, method: "POST", path: "^/user/[^/]+/rooms$" });
    await fault({ mode: "before", status: 404, count: 1, method: "GET", path: `^/rooms/${roomId(RANDOM)}$` });
    assert.equal(await command(`gjoin ${RANDOM}`), `The Gitter room ${RANDOM} no longer exists.`);
    await stack.gitter("/faults", "DELETE");
  });

  it("after a restart, keeps a hidden one-to-one closed, and posts nothing held for a room left meanwhile", async () => {
    const dev = await alice.waitForInvite((i) => i.name === DEV);
    await alice.client.joinRoom(dev);
    const current = dmInvites().at(-1)!.roomId;
    assert.match(await command("gpart bob"), /^Left .* on Gitter\.$/);
    await alice.waitForMembership(current, "leave", 60_000);
    assert.equal(await stack.bridge.stop(), 0);
    await stack.gitter(`/rooms/${encodeURIComponent(DEV)}/members/alice`, "DELETE");
    await alice.client.sendText(dev, "held while the bridge was down");
    // Keep the session's first Gitter request waiting for ~30 s, so Synapse hands over the held message while the
    // session is still starting: it must wait until the stale portal is closed, and then go nowhere.
    stack.emulator.limiter.configure(1, 30_000);
    await fetch(`${stack.emulator.url}/v1/user`, { headers: { authorization: `Bearer ${await aliceToken()}` } }).then((r) => r.arrayBuffer());
    await stack.restartBridge();
    await stack.bridge.waitForLine(/rate limit hit/, 30_000);
    // Short windows from here: the bridge learnt a limit of 1 and counts its first answer of the next window as the
    // window's last; a short window ends that soon.
    stack.emulator.limiter.configure(1000, 5_000);
    await stack.bridge.waitForLine(/not sent to Gitter: the room is no longer bridged/, 90_000);
    await alice.waitForMembership(dev, "leave", 60_000);
    assert.match(alice.membershipReasons.get(dev) ?? "", /You left this room on Gitter/, "the bot's kick says why");
    assert.equal((await stack.gitterLog(DEV)).some((m) => m.text === "held while the bridge was down"), false, "nothing posted");
    await lobbyMarker("after the restart");
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(alice.membership(current), "leave", "the hidden one-to-one is not opened again by the restart");
    await stack.postAs("bob", dmId, "back after the restart");
    await alice.waitForMembership(current, "invite", 60_000);
    await alice.client.joinRoom(current);
    await alice.waitForMessage(current, ghost("bob"), /^back after the restart$/, 60_000);
  });

  it("after a restart, brings in what was written into a hidden one-to-one while the bridge was down", async () => {
    const dm = dmInvites().at(-1)!.roomId;
    assert.match(await command("gpart bob"), /^Left .* on Gitter\.$/);
    await alice.waitForMembership(dm, "leave", 60_000);
    assert.equal(await stack.bridge.stop(), 0);
    await stack.postAs("bob", dmId, "written while you were away");
    await stack.restartBridge();
    // The room list shows the one-to-one again for its unread message; its portal starts before that message.
    await alice.waitForMembership(dm, "invite", 60_000);
    await alice.client.joinRoom(dm);
    await alice.waitForMessage(dm, ghost("bob"), /^written while you were away$/, 60_000);
  });

  /** Alice's token for the bridge's OAuth client (her requests share its rate-limit window). */
  async function aliceToken(): Promise<string> {
    return ((await stack.gitter("/tokens", "POST", { user: "alice", clientId: `${NAME}-client` })) as { access_token: string }).access_token;
  }
});
