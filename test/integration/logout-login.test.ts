// `logout` forgets a login that is not finished yet, through the bridge process, the Gitter emulator's sign-in
// pages and a homeserver stub: an approval waiting for its code, and a login link not used yet, must not log the
// user in after they said logout.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { configureLogging } from "../../src/util/log";
import { walkOAuth } from "../harness/oauth-http";
import { sample, scrape } from "../harness/prom";
import { eventually } from "../harness/stack";
import { BOT, startStubStack, type StubStack } from "../harness/stub-stack";

configureLogging({ level: "warn" });

const ALICE = "@alice:localhost";
const CONTROL = "!control:localhost";
const SIGN_IN = { username: "alice", password: "alice-pass" };

describe("logout during a login", { timeout: 120_000 }, () => {
  let stack: StubStack;
  /** Holds back the bot's "you are logged in" notice, widening the moment before a login's session starts. */
  let slowLoginNotice = false;
  const command = (line: string) => stack.command(ALICE, CONTROL, line);
  const linkIn = (answer: string) => {
    const link = /https?:\/\/\S+\/login\?state=[\w-]+/.exec(answer)?.[0];
    assert.ok(link, `no login link in: ${answer}`);
    return link;
  };

  before(async () => {
    stack = await startStubStack({
      name: "logout-login",
      fixture: { users: [{ username: "alice", password: "alice-pass" }], rooms: [] },
      controlRooms: { [ALICE]: CONTROL },
      oauthApp: true,
      hs: { delayMs: (route, path) => (slowLoginNotice && route === "send" && path.includes("notice-logged-in") ? 1500 : 0) },
    });
  });
  after(() => stack?.stop());

  it("discards the approval waiting for its code and the unused links, and says so", async () => {
    const approved = await walkOAuth(linkIn(await command("login")), SIGN_IN);
    assert.match(approved.codeMessage ?? "", /^login [A-Z0-9]{4}-[A-Z0-9]{4}$/, approved.html.slice(0, 300));
    const unused = linkIn(await command("login"));
    assert.match(await command("logout"), /not logged in\. Your login links and the Gitter login waiting for its code are discarded/);
    assert.match(await command(approved.codeMessage!), /No Gitter login is waiting/);
    await assert.rejects(walkOAuth(unused, SIGN_IN), /the bridge's \/login answered 4\d\d/);
    assert.match(await command("status"), /not logged in/i);
    assert.match(await command("logout"), /^You were not logged in\.$/);
  });

  it("still logs in through a link made after the logout", async () => {
    const walk = await walkOAuth(linkIn(await command("login")), SIGN_IN);
    assert.match(await command(walk.codeMessage!), /alice/);
    assert.match(await command("status"), /Logged in to Gitter as alice/i);
    assert.match(await command("logout"), /You are logged out/);
  });

  it("starts no session for a login whose logout was handled while the login was being announced", async () => {
    const walk = await walkOAuth(linkIn(await command("login")), SIGN_IN);
    slowLoginNotice = true;
    const before = stack.hs.sends.length;
    const line = (id: string, body: string) => ({ type: "m.room.message", room_id: CONTROL, sender: ALICE, event_id: id, content: { msgtype: "m.text", body } });
    // One transaction: the logout is handled while the login's notice is still on its way to the homeserver.
    await stack.push([line("$race-code", walk.codeMessage!), line("$race-logout", "logout")]);
    const answers = () => stack.hs.sends.slice(before).filter((s) => s.roomId === CONTROL && s.userId === BOT).map((s) => String(s.content.body));
    await eventually(() => answers().some((a) => /You are logged in to Gitter as alice/.test(a)), "the login's notice", 10_000);
    assert.ok(answers().some((a) => /You are logged out/.test(a)), answers().join(" | "));
    // Time for a session started from the login to connect to Gitter.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const metrics = await scrape(`http://127.0.0.1:${stack.files.webPort}`);
    assert.equal(sample(metrics, "gitter_bridge_connected_users"), 0, "a session runs for a user who logged out");
    slowLoginNotice = false;
  });
});
