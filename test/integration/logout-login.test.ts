// `logout` forgets a login that is not finished yet, through the bridge process, the Gitter emulator's sign-in
// pages and a homeserver stub: an approval waiting for its code, and a login link not used yet, must not log the
// user in after they said logout.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { configureLogging } from "../../src/util/log";
import { walkOAuth } from "../harness/oauth-http";
import { startStubStack, type StubStack } from "../harness/stub-stack";

configureLogging({ level: "warn" });

const ALICE = "@alice:localhost";
const CONTROL = "!control:localhost";
const SIGN_IN = { username: "alice", password: "alice-pass" };

describe("logout during a login", { timeout: 120_000 }, () => {
  let stack: StubStack;
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
});
