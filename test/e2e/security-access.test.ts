// Who may do what, on real parts (Synapse, the emulator, the bridge process, Chromium): refused users learn why
// and nothing else happens; a login link logs in only the account it was made for, once that account sends the
// code; a user acts only on their own portals and control room; nobody but the bridge can speak as a ghost or hand the bridge events.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import knex from "knex";
import { MatrixClient } from "matrix-bot-sdk";
import YAML from "yaml";
import type { MatrixUser } from "../harness/matrix-user";
import { eventually } from "../harness/stack";
import { BOT, LINK, SecurityStack } from "./security-stack";

const LOBBY = "gitter-demo/lobby";

describe("access control", { timeout: 300_000 }, () => {
  let stack: SecurityStack;
  let alice: MatrixUser;
  let bob: MatrixUser;
  let aliceControl: string;
  let bobControl: string;
  let lobby: string;

  before(async () => {
    stack = await SecurityStack.start({
      // carol's server (localhost) is not listed and there is no "*": she is refused as a server's user.
      permissions: { "@alice:localhost": "admin", "@bob:localhost": "user", "@mallory:localhost": "none", "example.org": "user" },
    });
    alice = await stack.matrixUser("alice");
    bob = await stack.matrixUser("bob");
  });
  after(() => stack?.stop());

  for (const [who, why] of [["mallory", "her own Matrix id"], ["carol", "her server"]] as const) {
    it(`refuses ${who}, refused by ${why}: the bot turns the invite down with the reason and never joins`, async () => {
      const user = await stack.matrixUser(who);
      const room = await user.client.createRoom({ invite: [BOT], is_direct: true, preset: "trusted_private_chat" });
      await eventually(async () => (await memberOf(user, room, BOT)) === "leave", "the bot turning the invite down");
      const refusal = (await user.client.getRoomStateEvent(room, "m.room.member", BOT)) as { reason?: string };
      assert.match(String(refusal.reason), /^Sorry, this Gitter bridge is not open to your Matrix account\. Ask its operator/);
      await user.client.sendText(room, "login");
      // Asking again gets the same answer, not a login link.
      await user.client.inviteUser(BOT, room);
      await eventually(async () => (await memberOf(user, room, BOT)) === "leave", "the bot turning it down again");
      const events = (await user.client.doRequest("GET", `/_matrix/client/v3/rooms/${encodeURIComponent(room)}/messages`, { dir: "b", limit: 100 })) as {
        chunk: Array<{ type: string; sender: string; state_key?: string; content: { membership?: string } }>;
      };
      assert.ok(!events.chunk.some((e) => e.type === "m.room.member" && e.state_key === BOT && e.content.membership === "join"), "the bot never joined");
      assert.ok(!events.chunk.some((e) => e.sender === BOT && e.type === "m.room.message"), "nor said anything there");
    });
  }

  it("logs in nobody when another person's browser completes a link: the code must come from the link's account", async () => {
    aliceControl = (await stack.openControlRoom(alice)).roomId;
    const bobGreeting = await stack.openControlRoom(bob);
    bobControl = bobGreeting.roomId;
    const bobsLink = LINK.exec(bobGreeting.body)![1]!;
    // Alice's browser, signed in to Gitter as alice, opens bob's link.
    const page = await stack.newBrowserPage();
    const { named, text, codeMessage } = await stack.completeLogin(page, bobsLink, "alice");
    assert.equal(named, "@bob:localhost", "the page names the account the link links");
    assert.match(text, /send this message to\s+@gitter:localhost\s+from\s+@bob:localhost/);
    assert.doesNotMatch(text, /@alice:localhost/);
    // Alice sends the code from her own account: it is bob's pending login, so nothing happens for her.
    await alice.client.sendText(aliceControl, codeMessage!);
    await alice.waitForMessage(aliceControl, BOT, /No Gitter login is waiting for a code from your Matrix account/);
    await alice.client.sendText(aliceControl, "status");
    await alice.waitForMessage(aliceControl, BOT, /You are not logged in/);
    await bob.client.sendText(bobControl, "status");
    await bob.waitForMessage(bobControl, BOT, /You are not logged in/);
    // The link is spent: opening it again says so at once, before Gitter, and logs in nobody.
    await page.goto(bobsLink);
    assert.equal(new URL(page.url()).pathname, "/login", "a spent link does not send the browser to Gitter");
    assert.match((await page.textContent("main")) ?? "", /already used/);
  });

  it("then logs alice in with her own link", async () => {
    await alice.client.sendText(aliceControl, "login");
    const msg = await alice.waitForMessage(aliceControl, BOT, /Open this link/);
    const link = LINK.exec(msg.body)![1]!;
    stack.loginLinks.push(link);
    const { named, codeMessage } = await stack.completeLogin(await stack.newBrowserPage(), link, "alice");
    assert.equal(named, "@alice:localhost");
    await alice.client.sendText(aliceControl, codeMessage!);
    await alice.waitForMessage(aliceControl, BOT, /logged in to Gitter as alice/);
    lobby = await alice.waitForInvite((i) => i.name === LOBBY);
    await alice.client.joinRoom(lobby);
  });

  it("lets nobody but the owner send through a portal", async () => {
    await assert.rejects(alice.client.inviteUser(bob.userId, lobby), /M_FORBIDDEN|403/, "only the bridge invites to a portal");
    // Nor may the owner open her portal to others: the Gitter room would be theirs to read.
    for (const [type, content] of [["m.room.join_rules", { join_rule: "public" }], ["m.room.guest_access", { guest_access: "can_join" }], ["m.room.history_visibility", { history_visibility: "world_readable" }]] as const) {
      await assert.rejects(alice.client.sendStateEvent(lobby, type, "", content), /M_FORBIDDEN|403/, `${type} is the bridge's`);
    }
    await assert.rejects(bob.client.joinRoom(lobby), /M_FORBIDDEN|403/);
    // A portal opened anyway (made by an older version, which let its owner do this): what others say stays in Matrix.
    const { as_token: asToken } = await stack.registration();
    await new MatrixClient(stack.synapse.url, asToken).sendStateEvent(lobby, "m.room.join_rules", "", { join_rule: "public" });
    await bob.client.joinRoom(lobby);
    await bob.client.sendText(lobby, "bob was never here");
    await bob.client.sendMessage(lobby, { msgtype: "m.emote", body: "bob waves", format: "org.matrix.custom.html", formatted_body: "bob <b>waves</b>" });
    // A Matrix user cannot send as a ghost: user_id is honoured for the appservice's token only.
    const sent = await bob.client.doRequest("PUT", `/_matrix/client/v3/rooms/${encodeURIComponent(lobby)}/send/m.room.message/masq1`, { user_id: "@gitter_carol:localhost" }, { msgtype: "m.text", body: "bob as carol" }).catch((e: Error) => e);
    if (!(sent instanceof Error)) {
      const event = await bob.client.getEvent(lobby, (sent as { event_id: string }).event_id);
      assert.equal(event.sender, bob.userId, "the event is bob's, not the ghost's");
    }
    await alice.client.sendText(lobby, "alice after bob");
    const log = await eventually(async () => {
      const rows = await stack.gitterLog(LOBBY);
      return rows.some((m) => m.text === "alice after bob") && rows;
    }, "alice's message on Gitter");
    // The room's events are handled in order, so bob's (earlier) were looked at and dropped by now.
    assert.deepEqual(log.filter((m) => /bob (was|waves|as)/.test(m.text)), []);
  });

  it("ignores commands from someone else in a user's control room", async () => {
    await alice.client.inviteUser(bob.userId, aliceControl);
    await bob.client.joinRoom(aliceControl);
    const botBefore = alice.messages(aliceControl).filter((m) => m.sender === BOT).length;
    for (const cmd of ["logout", `gpart ${LOBBY}`, "list", "login"]) await bob.client.sendText(aliceControl, cmd);
    await alice.client.sendText(aliceControl, "status");
    await alice.waitForMessage(aliceControl, BOT, /Logged in to Gitter as alice/);
    const botAfter = alice.messages(aliceControl).filter((m) => m.sender === BOT);
    assert.equal(botAfter.length, botBefore + 1, `only alice's status was answered: ${botAfter.slice(botBefore).map((m) => m.body).join(" | ")}`);
    assert.ok((await stack.gitterLog(LOBBY)).length > 0);
    assert.equal(alice.membership(lobby), "join", "the portal is still open");
    await bob.client.leaveRoom(aliceControl);
    await alice.client.sendText(aliceControl, "status");
    await eventually(() => alice.messages(aliceControl).filter((m) => m.sender === BOT).length === botBefore + 2, "a reply after bob left");
  });

  it("keeps the ghost and bot names for the bridge alone", async () => {
    // Open registration is off on this homeserver, so ask with its admin API, which checks namespaces the same
    // way: if even the server admin cannot take these names, no one can.
    for (const localpart of ["gitter_mallory", "gitter_bob", "gitter"]) {
      await assert.rejects(stack.synapse.registerUser(localpart, "pw"), /failed: 400 This user ID is reserved by an application service/, localpart);
    }
    await stack.synapse.registerUser("gitterfan", "pw"); // a name outside the namespace is free
  });

  it("takes events only from the homeserver: a forged transaction is refused and sends nothing", async () => {
    const { hs_token: hsToken } = await stack.registration();
    const forged = { events: [{ type: "m.room.message", event_id: "$forged", room_id: lobby, sender: alice.userId, origin_server_ts: Date.now(), content: { msgtype: "m.text", body: "forged by a stranger" } }] };
    const wrong = hsToken.replace(/^./, (c) => (c === "a" ? "b" : "a"));
    const attempts: Array<[string, Record<string, string>, number]> = [
      ["", {}, 401],
      [`?access_token=${wrong}`, {}, 403],
      ["", { authorization: `Bearer ${wrong}` }, 403],
      ["", { authorization: "Bearer short" }, 403],
      ["", { authorization: `Basic ${hsToken}` }, 403],
    ];
    for (const [query, headers, status] of attempts) {
      const res = await fetch(`http://127.0.0.1:${stack.files.asPort}/_matrix/app/v1/transactions/forged-${status}-${Math.random()}${query}`, {
        method: "PUT",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(forged),
      });
      assert.equal(res.status, status, `${query} ${JSON.stringify(headers)}`);
    }
    await alice.client.sendText(lobby, "alice after the forgeries");
    const log = await eventually(async () => {
      const rows = await stack.gitterLog(LOBBY);
      return rows.some((m) => m.text === "alice after the forgeries") && rows;
    }, "alice's message on Gitter");
    assert.ok(!log.some((m) => m.text.includes("forged")));
  });

  it("refuses to start when the homeserver holds another registration, naming the problem", async () => {
    assert.ok(stack.bridgeLines.some((l) => l.includes("the homeserver reached the bridge")), "the ping passed with matching files");
    assert.equal(await stack.bridge.stop(), 0);
    const original = await readFile(stack.files.registrationPath, "utf8");
    const fresh = () => randomBytes(32).toString("hex");
    try {
      for (const [key, problem] of [["hs_token", /the bridge refused the homeserver's hs_token/], ["as_token", /the homeserver does not accept its as_token/]] as const) {
        const reg = YAML.parse(original) as Record<string, string>;
        const old = reg[key]!;
        reg[key] = fresh();
        await writeFile(stack.files.registrationPath, YAML.stringify(reg), { mode: 0o600 });
        const bridge = stack.spawnBridge();
        const code = await new Promise<number | null>((r) => bridge.proc.once("exit", r));
        const output = bridge.lines.join("\n");
        assert.equal(code, 2, output);
        assert.match(output, /registration\.yaml does not match the homeserver's copy of the registration/);
        assert.match(output, problem);
        assert.ok(!output.includes(old) && !output.includes(reg[key]!), "no token in the output");
      }
    } finally {
      await writeFile(stack.files.registrationPath, original, { mode: 0o600 });
    }
  });

  it("kept no trace of the refused users and printed no secret", async () => {
    const db = knex({ client: "sqlite3", connection: { filename: path.join(stack.dir, "data", "bridge.db") }, useNullAsDefault: true });
    try {
      const refused = ["@mallory:localhost", "@carol:localhost"];
      assert.deepEqual(await db("users").whereIn("mxid", refused).select("mxid"), []);
      assert.deepEqual(await db("oauth_states").whereIn("mxid", refused).select("mxid"), []);
    } finally {
      await db.destroy();
    }
    const reg = await stack.registration();
    const secrets = [reg.as_token, reg.hs_token, stack.gitterToken("alice"), ...stack.oauthCodes, ...stack.loginLinks.map((l) => new URL(l).searchParams.get("state")!)];
    assert.ok(stack.oauthCodes.length >= 2 && stack.loginLinks.length >= 3);
    for (const s of secrets) assert.ok(!stack.bridgeLines.some((l) => l.includes(s)), "a secret reached the bridge's output");
  });
});

async function memberOf(user: MatrixUser, room: string, mxid: string): Promise<string | undefined> {
  const state = (await user.client.getRoomState(room)) as Array<{ type: string; state_key: string; content: { membership?: string } }>;
  return state.find((e) => e.type === "m.room.member" && e.state_key === mxid)?.content.membership;
}
