// Gitter names Matrix cannot take as they are, on real parts (Synapse, the emulator, the bridge process): a
// display name far over Synapse's 256-character limit and full of bidi and zero-width characters, a username too
// long for a Matrix id, and a homeserver that refuses every profile change. In each case the person's messages
// arrive; the ghost shows a cleaned, capped, templated name when the homeserver lets it.
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import YAML from "yaml";
import { MatrixIds } from "../../src/matrix/ids";
import { ghost, startStack, type Stack } from "../harness/e2e-stack";
import type { MatrixUser } from "../harness/matrix-user";
import { eventually } from "../harness/stack";

const LOBBY = "gitter-demo/lobby";
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/u;
// Gitter names GitLab users `<name>_gitlab` (/work/shared/gitter-api.md, User); GitLab allows 255 characters.
const LONG_USERNAME = `${"Very-Long-GitLab-Name-".repeat(11)}end_gitlab`;
const ids = new MatrixIds({ domain: "localhost", botLocalpart: "gitter", ghostPrefix: "gitter_" });
const codePoints = (s: string) => [...s].length;

describe("ghost names", { timeout: 240_000 }, () => {
  let stack: Stack;
  let alice: MatrixUser;
  let lobby: string;

  const newGitterUser = async (username: string, displayName: string) => {
    await stack.gitter("/users", "POST", { username, displayName, password: `${username}-pass` });
    await stack.gitter(`/rooms/${encodeURIComponent(LOBBY)}/members`, "POST", { user: username });
  };
  const profileName = async (mxid: string) => ((await alice.client.getUserProfile(mxid)) as { displayname?: string }).displayname;
  const memberName = async (mxid: string) =>
    ((await alice.client.getRoomStateEvent(lobby, "m.room.member", mxid)) as { displayname?: string }).displayname;
  /** Rewrites the Synapse's homeserver.yaml and restarts it (the harness keeps keys it does not set). */
  const reconfigureSynapse = async (change: Record<string, unknown>) => {
    const file = path.join(stack.synapse.dataDir, "homeserver.yaml");
    const config = YAML.parse(await readFile(file, "utf8")) as Record<string, unknown>;
    await writeFile(file, YAML.stringify({ ...config, ...change }));
    await stack.synapse.restart();
  };

  before(async () => {
    stack = await startStack({ name: "ghost-names" });
    alice = await stack.matrixUser("alice");
    await stack.logIn(alice, "alice");
    lobby = await alice.waitForInvite((i) => i.name === LOBBY);
    await alice.client.joinRoom(lobby);
  });

  after(async () => {
    await stack?.stop();
  });

  it("bridges a 300-character display name full of bidi and zero-width characters, cleaned and capped", async () => {
    const raw = `\u202e\u2066${"Mallory\u200b Ma\u200dllory\u2069 \u202a".repeat(20)}\u0007\n`;
    assert.ok(codePoints(raw) > 300);
    await newGitterUser("mallory", raw);
    await stack.postAs("mallory", LOBBY, "hello from mallory");
    await alice.waitForMessage(lobby, ghost("mallory"), /^hello from mallory$/);
    const name = await profileName(ghost("mallory"));
    assert.ok(name, "the ghost has a display name");
    assert.ok(codePoints(name) <= 256, `${codePoints(name)} code points`);
    assert.match(name, /^Mallory Mallory Mallory Mallory .*… \(Gitter\)$/u);
    assert.doesNotMatch(name, INVISIBLE);
    assert.equal(await memberName(ghost("mallory")), name, "the room shows the same name");
  });

  it("keeps a Gitter user from passing for someone else", async () => {
    await newGitterUser("impostor", "  Alice\u200b Anders \u202e");
    await stack.postAs("impostor", LOBBY, "trust me");
    await alice.waitForMessage(lobby, ghost("impostor"), /^trust me$/);
    assert.equal(await profileName(ghost("impostor")), "Alice Anders (Gitter)");
  });

  it("bridges a username too long for a Matrix id under a shortened id that maps back, also after a restart", async () => {
    const mxid = ids.ghostMxid(LONG_USERNAME);
    assert.ok(mxid.length <= 255 && /==[0-9a-f]{24}:localhost$/.test(mxid), mxid);
    await newGitterUser(LONG_USERNAME, "Long Name");
    await stack.postAs(LONG_USERNAME, LOBBY, "hello from a long name");
    await alice.waitForMessage(lobby, mxid, /^hello from a long name$/);
    assert.equal(await profileName(mxid), "Long Name (Gitter)");

    await stack.postAs("bob", LOBBY, `welcome @${LONG_USERNAME}`);
    const welcome = await alice.waitForMessage(lobby, ghost("bob"), /^welcome/);
    assert.ok(welcome.formatted?.includes(`href="https://matrix.to/#/${mxid}"`), welcome.formatted);

    const pillTo = async (text: string) => {
      await alice.client.sendMessage(lobby, {
        msgtype: "m.text",
        body: `Long Name: ${text}`,
        format: "org.matrix.custom.html",
        formatted_body: `<a href="https://matrix.to/#/${mxid}">Long Name</a>: ${text}`,
      });
      return eventually(async () => (await stack.gitterLog(LOBBY)).find((m) => m.text.endsWith(text)), text);
    };
    assert.equal((await pillTo("before the restart")).text, `@${LONG_USERNAME}: before the restart`);
    await stack.restartBridge();
    assert.equal((await pillTo("after the restart")).text, `@${LONG_USERNAME}: after the restart`);
    await stack.postAs(LONG_USERNAME, LOBBY, "still me");
    await alice.waitForMessage(lobby, mxid, /^still me$/);
  });

  it("bridges the messages of a ghost whose profile the homeserver refuses, and sets it once allowed", async () => {
    await reconfigureSynapse({ enable_set_displayname: false });
    await newGitterUser("rita", "Rita Refused");
    await stack.postAs("rita", LOBBY, "first while refused");
    await alice.waitForMessage(lobby, ghost("rita"), /^first while refused$/);
    await stack.postAs("rita", LOBBY, "second while refused");
    await alice.waitForMessage(lobby, ghost("rita"), /^second while refused$/);
    assert.notEqual(await profileName(ghost("rita")), "Rita Refused (Gitter)");
    const refusals = stack.bridge.lines.filter((l) => l.includes("refused the ghost's profile"));
    assert.equal(refusals.length, 1, "the refusal is logged once, not per message");

    await reconfigureSynapse({ enable_set_displayname: true });
    await stack.restartBridge();
    await stack.postAs("rita", LOBBY, "after it is allowed");
    await alice.waitForMessage(lobby, ghost("rita"), /^after it is allowed$/);
    assert.equal(await profileName(ghost("rita")), "Rita Refused (Gitter)");
    assert.equal(await memberName(ghost("rita")), "Rita Refused (Gitter)");
  });
});
