// The bot's notices when their handler runs again, through the bridge process against a homeserver stub that
// keeps transaction ids as Synapse does: a handler that hit an outage after its notice went out is run again by
// the inbox, and the notice must not appear twice; two different notices must both appear.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { configureLogging } from "../../src/util/log";
import { eventually } from "../harness/stack";
import { BOT, startStubStack, type StubStack } from "../harness/stub-stack";

configureLogging({ level: "warn" });

const CAROL = "@carol:localhost";
const DAVE = "@dave:localhost";
const GROUP = "!group:localhost";
const CONTROL = "!carol-control:localhost";
/** The transport's attempts per call: the leave fails this often, so the handler fails and is run again. */
const LEAVE_FAILURES = 6;

describe("a bot notice whose handler runs again", { timeout: 120_000 }, () => {
  let stack: StubStack;
  let failLeaves = 0;

  const member = (user: string) => ({ type: "m.room.member", state_key: user, sender: user, content: { membership: "join" } });
  const push = (event: Record<string, unknown>) => stack.push([event]);
  const botSends = (room: string) => stack.hs.sends.filter((s) => s.roomId === room && s.userId === BOT).map((s) => String(s.content.body));

  before(async () => {
    stack = await startStubStack({
      name: "notices",
      fixture: { users: [{ username: "alice" }], rooms: [] },
      controlRooms: { [CAROL]: CONTROL },
      hs: {
        override: (route) => {
          // A room of three: the bot says it only works one-to-one, then leaves.
          if (route === "roomState") return { status: 200, body: [member(CAROL), member(DAVE), member(BOT)] };
          // The homeserver rate-limits the leave longer than the transport waits: the handler fails as in an outage.
          if (route === "membership" && failLeaves > 0) {
            failLeaves--;
            return { status: 429, body: { errcode: "M_LIMIT_EXCEEDED", error: "Too many requests", retry_after_ms: 5 } };
          }
          return undefined;
        },
      },
    });
  });

  after(() => stack?.stop());

  it("says once that it works one-to-one only, although the invite's handler ran twice", async () => {
    failLeaves = LEAVE_FAILURES;
    const leavesBefore = stack.hs.counts.get("membership") ?? 0;
    await push({ type: "m.room.member", state_key: BOT, sender: CAROL, room_id: GROUP, event_id: "$invite-group", content: { membership: "invite" } });
    // The failed leaves, then the one that worked on the handler's second run.
    await eventually(() => (stack.hs.counts.get("membership") ?? 0) === leavesBefore + LEAVE_FAILURES + 1, "the bot left after its leave was refused", 30_000);
    await eventually(() => stack.bridge.lines.some((l) => /event handler hit an outage/.test(l)), "the handler ran again");
    const said = botSends(GROUP).filter((b) => /only work in one-to-one rooms/.test(b));
    assert.equal(said.length, 1, `one notice, not one per run: ${JSON.stringify(said)}`);
  });

  it("answers two commands with two notices, even when they read the same", async () => {
    const before = botSends(CONTROL).length;
    for (const id of ["$status-1", "$status-2"]) {
      await push({ type: "m.room.message", room_id: CONTROL, sender: CAROL, event_id: id, content: { msgtype: "m.text", body: "status" } });
    }
    await eventually(() => botSends(CONTROL).length === before + 2, "both answers");
    const [first, second] = botSends(CONTROL).slice(before);
    assert.equal(first, second);
    assert.match(first!, /not logged in/);
  });
});
