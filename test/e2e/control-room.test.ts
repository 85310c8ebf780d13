// The bot's control room on a real Synapse: it stays only in one-to-one rooms (and remembers a room it
// refused), a newer direct chat replaces the older, and every kind of bad input gets an answer there.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { BOT, startStack, type Stack } from "../harness/e2e-stack";
import type { MatrixUser } from "../harness/matrix-user";
import { sendLoginCode, walkOAuth } from "../harness/oauth-http";
import { eventually } from "../harness/stack";

type TimelineEvent = { type: string; sender: string; state_key?: string; content: Record<string, unknown> };

describe("control room", { timeout: 120_000 }, () => {
  let stack: Stack;
  let alice: MatrixUser;
  let control: string;

  const botMembership = async (roomId: string) =>
    String((await alice.client.getRoomStateEvent(roomId, "m.room.member", BOT)).membership);
  const history = async (roomId: string): Promise<TimelineEvent[]> => {
    const res = (await alice.client.doRequest("GET", `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/messages`, {
      dir: "b",
      limit: 200,
    })) as { chunk: TimelineEvent[] };
    return res.chunk.reverse();
  };
  /** Sends a command and waits for the bot's answer matching `re`. */
  const ask = async (roomId: string, line: string, re: RegExp) => {
    await alice.client.sendText(roomId, line);
    return (await alice.waitForMessage(roomId, BOT, re)).body;
  };

  before(async () => {
    stack = await startStack({ name: "control" });
    alice = await stack.matrixUser("alice");
    await stack.matrixUser("bert");
  });

  after(async () => {
    await stack?.stop();
  });

  it("explains and leaves a room with more people, and refuses that room afterwards", async () => {
    const group = await alice.client.createRoom({ preset: "private_chat", invite: ["@bert:localhost"] });
    await alice.client.inviteUser(BOT, group);
    const why = await alice.waitForMessage(group, BOT, /one-to-one/);
    assert.match(why.body, /Leaving now/);
    await eventually(async () => (await botMembership(group)) === "leave", "the bot to leave");

    await alice.client.inviteUser(BOT, group);
    await eventually(async () => (await botMembership(group)) === "leave", "the bot to turn the invite down");
    const events = await history(group);
    const botJoins = events.filter((e) => e.type === "m.room.member" && e.state_key === BOT && e.content.membership === "join");
    assert.equal(botJoins.length, 1, "the bot never joined the refused room again");
    assert.equal(events.filter((e) => e.type === "m.room.message" && e.sender === BOT).length, 1, "and said nothing more");
  });

  it("greets a direct chat and answers bad input with usage before login", async () => {
    control = await alice.client.createRoom({ invite: [BOT], is_direct: true, preset: "trusted_private_chat" });
    await alice.waitForMessage(control, BOT, /log in with Gitter/);
    assert.match(await ask(control, "gjoin", /^Usage: gjoin/), /^Usage: gjoin <room\|username> — /);
    assert.match(await ask(control, "gpart one two", /^Usage: gpart/), /^Usage: gpart <room> — /);
    assert.match(await ask(control, "search", /^Usage: search/), /^Usage: search <name> — /);
    assert.match(await ask(control, "status please", /^Usage: status/), /^Usage: status — /);
    assert.match(await ask(control, "frobnicate now", /^Unknown command/), /"frobnicate".*`help`/);
    assert.match(await ask(control, "list", /log in first/), /send `login`/);
  });

  it("redacts a message carrying a token at once, also on Gitter, which offers no token login", async () => {
    const token = `tok-${Date.now().toString(36)}-secret`;
    const eventId = await alice.client.sendText(control, `login token ${token}`);
    const answer = (await alice.waitForMessage(control, BOT, /offers no token login/)).body;
    assert.ok(!answer.includes(token));
    const event = (await alice.client.getEvent(control, eventId)) as { content: Record<string, unknown>; unsigned?: { redacted_because?: { sender: string } } };
    assert.deepEqual(event.content, {}, "the message is redacted");
    assert.equal(event.unsigned?.redacted_because?.sender, BOT);
    assert.doesNotMatch(await ask(control, "help", /^Commands:/), /login token/);
  });

  it("answers bad room names after login with what is wrong", async () => {
    const link = /(http:\/\/127\.0\.0\.1:\d+\/login\?state=\S+)/.exec(await ask(control, "login", /^Open this link/))![1];
    const walk = await walkOAuth(link, { username: "alice", password: "alice-pass" });
    assert.equal(walk.status, 200);
    await sendLoginCode(walk, (text) => alice.client.sendText(control, text));
    await alice.waitForMessage(control, BOT, /logged in to Gitter as alice/);
    assert.match(await ask(control, "gjoin https://example.com/org/room", /does not look right/), /is not a Gitter link/);
    assert.match(await ask(control, "gjoin org/room/sub/deeper", /does not look right.*deeper/), /is not a Gitter room or username/);
    assert.match(await ask(control, "gjoin no-such-org/no-such-room", /There is no Gitter room/), /no-such-org\/no-such-room/);
    assert.match(await ask(control, "gjoin nosuchperson", /There is no Gitter user/), /nosuchperson/);
    assert.match(await ask(control, "gpart gitter-demo/random", /You are not in/), /gitter-demo\/random/);
    assert.match(await ask(control, "invite @carol", /You are not in a one-to-one/), /@carol/);
  });

  it("opens a one-to-one chat with gjoin <username>, and searches rooms", async () => {
    assert.match(await ask(control, "gjoin @carol", /^Joined/), /Carol Chen \(one-to-one\)/);
    const dm = await alice.waitForInvite((i) => i.isDirect && i.inviter === "@gitter_carol:localhost");
    await alice.client.joinRoom(dm);
    const search = await ask(control, "search demo", /^Gitter rooms matching/);
    assert.match(search, /^gitter-demo\/lobby \(\d+ people\)$/m);
    assert.doesNotMatch(search, /secret-society/, "private rooms are not listed");
    assert.match(await ask(control, "search zzzz-nothing", /^No Gitter rooms match/), /zzzz-nothing/);
  });

  it("moves to a newer direct chat: says so in the old one, leaves it, and works in the new one", async () => {
    const newer = await alice.client.createRoom({ invite: [BOT], is_direct: true, preset: "trusted_private_chat" });
    const greeting = await alice.waitForMessage(newer, BOT, /Hello!/);
    assert.match(greeting.body, /logged in to Gitter as alice/, "the new room knows the login");
    await alice.waitForMessage(control, BOT, /new chat with me/);
    await eventually(async () => (await botMembership(control)) === "leave", "the bot to leave the old room");
    assert.match(await ask(newer, "status", /^Logged in/), /Logged in to Gitter as alice\. Connection: \w+/);
    assert.match(await ask(newer, "gjoin", /^Usage/), /^Usage: gjoin/);
    assert.match(await ask(newer, "list", /Your Gitter rooms/), /gitter-demo\/lobby/);
  });
});
