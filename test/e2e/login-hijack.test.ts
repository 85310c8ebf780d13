// A login link handed to someone else, on real parts (Synapse, the emulator, the bridge process, Chromium).
// Mallory asks the bot for a login link and passes it to Alice; Alice opens it, signs in to Gitter and approves.
// The bridge's page names Mallory's Matrix account before Gitter, and after Gitter it keeps nothing: the token
// waits for a code that only Mallory's account may send, and the code is in Alice's browser, not with Mallory.
// Mallory's guesses use the tries up and the waiting token is thrown away. Alice's own link, with the code sent
// from her own account, logs her in.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import knex, { type Knex } from "knex";
import type { MatrixUser } from "../harness/matrix-user";
import { CODE_TRIES } from "../../src/puppet/login-code";
import { eventually } from "../harness/stack";
import { BOT, LINK, SecurityStack } from "./security-stack";

const STATUS = /^(You are not logged in|Logged in to Gitter)/;

describe("a login link passed to someone else", { timeout: 300_000 }, () => {
  let stack: SecurityStack;
  let alice: MatrixUser;
  let mallory: MatrixUser;
  let aliceControl: string;
  let malloryControl: string;
  let alicesCode: string;

  before(async () => {
    stack = await SecurityStack.start();
    alice = await stack.matrixUser("alice");
    mallory = await stack.matrixUser("mallory");
  });
  after(() => stack?.stop());

  async function withDb<T>(read: (db: Knex) => Promise<T>): Promise<T> {
    const db = knex({ client: "sqlite3", connection: { filename: path.join(stack.dir, "data", "bridge.db") }, useNullAsDefault: true });
    try {
      return await read(db);
    } finally {
      await db.destroy();
    }
  }

  /** Sends `text` and resolves with the bot's first later message matching `answer`. */
  async function ask(user: MatrixUser, room: string, text: string, answer: RegExp): Promise<string> {
    const before = user.messages(room).length;
    await user.client.sendText(room, text);
    const reply = await eventually(() => user.messages(room).slice(before).find((m) => m.sender === BOT && answer.test(m.body)), `an answer to ${text}`, 30_000);
    return reply.body;
  }

  it("names Mallory's account to Alice, and after her approval keeps no token for anyone", async () => {
    const greeting = await stack.openControlRoom(mallory);
    malloryControl = greeting.roomId;
    const malloryLink = LINK.exec(greeting.body)![1]!;
    aliceControl = (await stack.openControlRoom(alice)).roomId;

    const page = await stack.newBrowserPage();
    await page.goto(malloryLink);
    assert.match((await page.textContent("main")) ?? "", /You are linking Gitter to the Matrix account @mallory:localhost\.\s+Only continue if that is you/);
    // Alice continues anyway, signs in to Gitter as alice and approves.
    const { named, text, codeMessage } = await stack.completeLogin(page, malloryLink, "alice");
    assert.equal(named, "@mallory:localhost");
    assert.match(text, /send this message to\s+@gitter:localhost\s+from\s+@mallory:localhost/);
    assert.match(codeMessage ?? "", /^login [A-Z0-9]{4}-[A-Z0-9]{4}$/);
    alicesCode = codeMessage!;

    assert.match(await ask(mallory, malloryControl, "status", STATUS), /^You are not logged in/);
    await withDb(async (db) => {
      assert.deepEqual(await db("users").whereNotNull("token_ciphertext").select("mxid"), [], "no token is kept");
      assert.deepEqual(await db("users").where({ gitter_username: "alice" }).select("mxid"), []);
      assert.deepEqual(await db("pending_logins").select("mxid", "gitter_username"), [{ mxid: "@mallory:localhost", gitter_username: "alice" }]);
    });
  });

  it("gives Alice nothing for sending the code from her own account, and spends none of its tries", async () => {
    assert.match(await ask(alice, aliceControl, alicesCode, /No Gitter login is waiting|Code accepted|not right/), /^No Gitter login is waiting for a code from your Matrix account/);
    assert.match(await ask(alice, aliceControl, "status", STATUS), /^You are not logged in/);
    await withDb(async (db) => assert.equal((await db("pending_logins").first("tries_left"))?.tries_left, CODE_TRIES));
  });

  it("gives Mallory nothing for guessing: each wrong code is refused, the last throws the waiting token away", async () => {
    for (let left = CODE_TRIES - 1; left > 0; left--) {
      const reply = await ask(mallory, malloryControl, "login 2345-6789", /not right/);
      assert.match(reply, new RegExp(`^That code is not right\\..*\\(${left} tr(y|ies) left\\)`));
    }
    assert.match(await ask(mallory, malloryControl, "login ABCD-EFGH", /not right/), /that was the last try: the waiting Gitter login is discarded/);
    await withDb(async (db) => {
      assert.deepEqual(await db("pending_logins").select("mxid"), [], "the pending login and its token are gone");
      assert.deepEqual(await db("users").whereNotNull("token_ciphertext").select("mxid"), []);
    });
    // Even the right code, had Alice been talked into handing it over, now finds nothing.
    assert.match(await ask(mallory, malloryControl, alicesCode, /No Gitter login is waiting|Code accepted/), /^No Gitter login is waiting/);
    assert.match(await ask(mallory, malloryControl, "status", STATUS), /^You are not logged in/);
    assert.ok(!stack.bridgeLines.some((l) => l.includes(alicesCode.slice("login ".length))), "the code is never logged");
  });

  it("logs Alice in with her own link once her own account sends the code", async () => {
    const reply = await ask(alice, aliceControl, "login", /Open this link/);
    const { named, codeMessage } = await stack.completeLogin(await stack.newBrowserPage(), LINK.exec(reply)![1]!, "alice");
    assert.equal(named, "@alice:localhost");
    assert.match(await ask(alice, aliceControl, codeMessage!, /Code accepted|not right|No Gitter/), /^Code accepted: your Matrix account now uses the Gitter account alice\./);
    await alice.waitForMessage(aliceControl, BOT, /logged in to Gitter as alice/);
    assert.match(await ask(alice, aliceControl, "status", STATUS), /^Logged in to Gitter as alice/);
    assert.match(await ask(mallory, malloryControl, "status", STATUS), /^You are not logged in/);
    await withDb(async (db) => {
      assert.deepEqual(await db("users").whereNotNull("token_ciphertext").select("mxid"), [{ mxid: "@alice:localhost" }]);
      assert.deepEqual(await db("pending_logins").select("mxid"), []);
    });
    assert.ok(!stack.bridgeLines.some((l) => l.includes(codeMessage!.slice("login ".length))), "the code is never logged");
  });
});
