// Messages through a portal, both ways, on real parts (Synapse, the emulator, the bridge process): `/me`,
// mentions and pills, notices, reply fallbacks, the 4096-character limit, and the user's own Gitter account
// writing from elsewhere (shown from their own ghost) versus writing from Matrix (never echoed back).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { BOT, ghost, startStack, type LoggedMessage, type Stack } from "../harness/e2e-stack";
import type { MatrixUser } from "../harness/matrix-user";
import { sample, scrape } from "../harness/prom";
import { eventually } from "../harness/stack";

const LOBBY = "gitter-demo/lobby";
const ALICE = "@alice:localhost";
const HTML = "org.matrix.custom.html";
const pill = (mxid: string, text: string) => `<a href="https://matrix.to/#/${mxid}">${text}</a>`;

describe("portal messages", { timeout: 120_000 }, () => {
  let stack: Stack;
  let alice: MatrixUser;
  let lobby: string;
  let markers = 0;

  /** Alice's message as it landed on Gitter. */
  const onGitter = (pred: (m: LoggedMessage) => boolean, what: string) =>
    eventually(async () => (await stack.gitterLog(LOBBY)).find((m) => m.fromUser.username === "alice" && pred(m)), what);

  /**
   * Bob says something and Alice sees it. Gitter ids grow and each portal has one ordered queue, so whatever
   * reached Gitter or the portal before this has been fully handled once it shows: no waiting on a clock.
   */
  const barrier = async () => {
    const text = `marker ${++markers}`;
    await stack.postAs("bob", LOBBY, text);
    await alice.waitForMessage(lobby, ghost("bob"), new RegExp(`^${text}$`));
  };

  before(async () => {
    stack = await startStack({ name: "messages" });
    alice = await stack.matrixUser("alice");
    await stack.logIn(alice, "alice");
    lobby = await alice.waitForInvite((i) => i.name === LOBBY);
    await alice.client.joinRoom(lobby);
  });

  after(async () => {
    await stack?.stop();
  });

  it("shows a Gitter /me as an emote from the ghost, without the leading @name", async () => {
    await stack.postAs("bob", LOBBY, "@bob waves hello", { status: true });
    const msg = await alice.waitForMessage(lobby, ghost("bob"), /waves hello/);
    assert.equal(msg.msgtype, "m.emote");
    assert.equal(msg.body, "waves hello");
  });

  it("sends a Matrix emote to Gitter as a status message", async () => {
    await alice.client.sendMessage(lobby, { msgtype: "m.emote", body: "dances" });
    const sent = await onGitter((m) => m.text.endsWith("dances"), "the status message");
    assert.equal(sent.status, true);
    assert.equal(sent.text, "@alice dances");
  });

  it("turns Gitter mentions of bridged users into pills, with m.mentions", async () => {
    await stack.postAs("carol", LOBBY, "ping @bob and @alice, not @nobody");
    const msg = await alice.waitForMessage(lobby, ghost("carol"), /^ping/);
    assert.equal(msg.body, "ping @bob and @alice, not @nobody");
    assert.ok(msg.formatted?.includes(`href="https://matrix.to/#/${ghost("bob")}"`), msg.formatted);
    assert.ok(msg.formatted?.includes(`href="https://matrix.to/#/${ALICE}"`), msg.formatted);
    assert.ok(!msg.formatted?.includes("nobody:localhost"), "an unknown name stays text");
    const mentioned = (msg.content["m.mentions"] as { user_ids: string[] }).user_ids;
    assert.deepEqual([...mentioned].sort(), [ALICE, ghost("bob")].sort());
  });

  it("sends a notice with a pill to Gitter as Markdown with @username", async () => {
    await alice.client.sendMessage(lobby, {
      msgtype: "m.notice",
      body: "Carol Chen: the build is green",
      format: HTML,
      formatted_body: `${pill(ghost("carol"), "Carol Chen")}: the build is <strong>green</strong>`,
    });
    const sent = await onGitter((m) => m.text.includes("build is"), "the notice");
    assert.equal(sent.text, "@carol: the build is **green**");
    assert.equal(sent.status, undefined, "a notice is an ordinary message on Gitter");
  });

  it("drops reply fallbacks, formatted or plain", async () => {
    await stack.postAs("bob", LOBBY, "anyone there?");
    const question = await alice.waitForMessage(lobby, ghost("bob"), /anyone there/);
    const relates = { "m.in_reply_to": { event_id: question.eventId } };
    await alice.client.sendMessage(lobby, {
      msgtype: "m.text",
      body: `> <${ghost("bob")}> anyone there?\n\nyes, *here*`,
      format: HTML,
      formatted_body:
        `<mx-reply><blockquote><a href="https://matrix.to/#/${lobby}/${question.eventId}">In reply to</a> ` +
        `${pill(ghost("bob"), ghost("bob"))}<br>anyone there?</blockquote></mx-reply>yes, <em>here</em>`,
      "m.relates_to": relates,
    });
    assert.equal((await onGitter((m) => m.text.startsWith("yes"), "the formatted reply")).text, "yes, *here*");
    await alice.client.sendMessage(lobby, {
      msgtype: "m.text",
      body: `> <${ghost("bob")}> anyone there?\n\nplain answer`,
      "m.relates_to": relates,
    });
    assert.equal((await onGitter((m) => m.text.includes("plain answer"), "the plain reply")).text, "plain answer");
  });

  it("refuses a message over 4096 characters with a notice, and sends nothing to Gitter", async () => {
    const long = `long ${"x".repeat(4100)}`;
    await alice.client.sendText(lobby, long);
    const notice = await alice.waitForMessage(lobby, BOT, /not sent to Gitter/);
    assert.equal(notice.msgtype, "m.notice");
    assert.match(notice.body, /4105 characters/);
    assert.match(notice.body, /at most 4096/);
    await alice.client.sendText(lobby, "short one after the long one");
    await onGitter((m) => m.text === "short one after the long one", "the next message");
    const log = await stack.gitterLog(LOBBY);
    assert.equal(log.filter((m) => m.text.startsWith("long ")).length, 0, "nothing of the long message reached Gitter");
  });

  it("shows what the user wrote on Gitter elsewhere from their own ghost, once", async () => {
    await stack.postAs("alice", LOBBY, "written in Gitter's own app");
    const msg = await alice.waitForMessage(lobby, ghost("alice"), /written in Gitter's own app/);
    assert.equal(msg.body, "written in Gitter's own app");
    await barrier();
    assert.equal(alice.messages(lobby).filter((m) => m.body === msg.body).length, 1);
    assert.equal((await alice.client.getUserProfile(ghost("alice"))).displayname, "Alice Anders (Gitter)");
  });

  it("never echoes back what the user sent from Matrix", async () => {
    await alice.client.sendText(lobby, "sent from Matrix");
    const sent = await onGitter((m) => m.text === "sent from Matrix", "the message on Gitter");
    assert.equal(sent.fromUser.username, "alice");
    await barrier();
    const seen = alice.messages(lobby).filter((m) => m.body === "sent from Matrix");
    assert.deepEqual(seen.map((m) => m.sender), [ALICE], "only Alice's own event, no ghost echo");
    const emotes = alice.messages(lobby).filter((m) => m.body.includes("dances"));
    assert.deepEqual(emotes.map((m) => m.sender), [ALICE], "the emote was not echoed either");
    assert.equal((await stack.gitterLog(LOBBY)).filter((m) => m.text === "sent from Matrix").length, 1);
  });

  it("counts what it bridged on /metrics and is ready while Synapse answers, not while it is down", async () => {
    const webUrl = `http://127.0.0.1:${stack.files.webPort}`;
    const metrics = await scrape(webUrl);
    assert.ok((sample(metrics, "gitter_bridge_messages_total", { direction: "gitter-to-matrix" }) ?? 0) >= 3);
    assert.ok((sample(metrics, "gitter_bridge_messages_total", { direction: "matrix-to-gitter" }) ?? 0) >= 2);
    assert.equal(sample(metrics, "gitter_bridge_connected_users"), 1);
    assert.ok((sample(metrics, "gitter_bridge_message_failures_total", { direction: "matrix-to-gitter", reason: "too_long" }) ?? 0) >= 1);
    const ready = await fetch(`${webUrl}/ready`);
    assert.equal(ready.status, 200, await ready.clone().text());
    await stack.synapse.stop();
    try {
      const down = await fetch(`${webUrl}/ready`);
      assert.equal(down.status, 503);
      const body = (await down.json()) as { ready: boolean; checks: Record<string, { ok: boolean }> };
      assert.equal(body.ready, false);
      assert.equal(body.checks.homeserver?.ok, false);
      assert.equal(body.checks.database?.ok, true);
      assert.equal((await fetch(`${webUrl}/health`)).status, 200, "still alive, only not ready");
    } finally {
      await stack.synapse.restart();
    }
    await eventually(async () => (await fetch(`${webUrl}/ready`)).status === 200, "ready again");
  });
});
