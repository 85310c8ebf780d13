// A Gitter token revoked while two users are bridged: the owner is told in their control room with a fresh
// login link and their session stops; the other user goes on as if nothing happened; the link resumes the rooms.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { BOT, startBridgedStack, type BridgedStack, type BridgedUser } from "../harness/bridged-stack";
import { roomMessages } from "../harness/crash-traffic";
import { sendLoginCode, walkOAuth } from "../harness/oauth-http";
import { eventually } from "../harness/stack";

const ROOM = "revoke/shared";

describe("a revoked Gitter token", { timeout: 300_000 }, () => {
  let stack: BridgedStack;
  let alice: BridgedUser;
  let bob: BridgedUser;
  let link: string;

  const onGitter = async () => (await stack.control(`/messages?room=${encodeURIComponent(ROOM)}`)) as Array<{ text: string; fromUser: { username: string } }>;
  const bodies = async (u: BridgedUser) => (await roomMessages(u.matrix, u.portals.get(ROOM)!)).map((m) => m.body);

  before(async () => {
    stack = await startBridgedStack({
      name: "revoke",
      fixture: {
        users: ["alice", "bob", "carol"].map((u) => ({ username: u, password: `${u}-pass` })),
        rooms: [{ uri: ROOM, members: ["alice", "bob", "carol"] }],
      },
      users: [
        { localpart: "alice", gitterUsername: "alice", gitterPassword: "alice-pass", rooms: [ROOM] },
        { localpart: "bob", gitterUsername: "bob", gitterPassword: "bob-pass", rooms: [ROOM] },
      ],
    });
    alice = stack.users.get("alice")!;
    bob = stack.users.get("bob")!;
  });
  after(async () => {
    await stack?.stop();
  });

  it("bridges for both users before", async () => {
    await stack.postAs("carol", ROOM, "before the revocation");
    await alice.matrix.waitForMessage(alice.portals.get(ROOM)!, "@gitter_carol:localhost", /before the revocation/);
    await bob.matrix.waitForMessage(bob.portals.get(ROOM)!, "@gitter_carol:localhost", /before the revocation/);
  });

  it("tells the owner in the control room, with a fresh login link", async () => {
    // One token per (user, client): asking again for alice's returns the one the bridge holds.
    const { access_token: token } = (await stack.control("/tokens", { method: "POST", body: { user: "alice", clientId: "stack-bridge" } })) as { access_token: string };
    await stack.control("/tokens/revoke", { method: "POST", body: { token } });
    const notice = await alice.matrix.waitForMessage(alice.controlRoom, BOT, /no longer accepts your login/);
    link = /(http:\/\/127\.0\.0\.1:\d+\/login\?state=\S+)/.exec(notice.body)?.[1] ?? "";
    assert.ok(link, notice.body);
    assert.equal(notice.body.includes(token), false, "the token is never shown");
    await stack.bridge.waitForLine(/token no longer valid; session stopped/);
    await alice.matrix.client.sendText(alice.controlRoom, "status");
    await alice.matrix.waitForMessage(alice.controlRoom, BOT, /You are not logged in/);
  });

  it("pauses only the owner's rooms; the other user is unaffected both ways", async () => {
    await stack.postAs("carol", ROOM, "while alice is paused");
    await bob.matrix.waitForMessage(bob.portals.get(ROOM)!, "@gitter_carol:localhost", /while alice is paused/);
    await bob.matrix.client.sendText(bob.portals.get(ROOM)!, "bob still bridged");
    await eventually(async () => (await onGitter()).some((m) => m.fromUser.username === "bob" && m.text === "bob still bridged"), "bob's message on Gitter");
    await alice.matrix.client.sendText(alice.portals.get(ROOM)!, "alice while paused");
    await alice.matrix.waitForMessage(alice.portals.get(ROOM)!, BOT, /not sent to Gitter: you are not logged in/);
    assert.equal((await bodies(alice)).includes("while alice is paused"), false, "alice's session is stopped");
    assert.equal((await onGitter()).some((m) => m.text === "alice while paused"), false, "nothing is posted with a revoked token");
    const exits = stack.bridge.lines.filter((l) => /"level":"error"/.test(l) && /alice/.test(l));
    assert.deepEqual(exits, [], "the session stopped without errors");
  });

  it("resumes the rooms through the link, catching up what was said meanwhile", async () => {
    const page = await walkOAuth(link, { username: "alice", password: "alice-pass" });
    await sendLoginCode(page, (text) => alice.matrix.client.sendText(alice.controlRoom, text));
    await alice.matrix.waitForMessage(alice.controlRoom, BOT, /logged in to Gitter as alice/);
    await alice.matrix.waitForMessage(alice.portals.get(ROOM)!, "@gitter_carol:localhost", /while alice is paused/);
    await stack.postAs("carol", ROOM, "after alice is back");
    await alice.matrix.waitForMessage(alice.portals.get(ROOM)!, "@gitter_carol:localhost", /after alice is back/);
    const seen = await bodies(alice);
    assert.equal(seen.filter((b) => b === "while alice is paused").length, 1);
  });
});
