// `npm run demo -- --keep` on real parts: a newcomer logs in to Matrix and to Gitter, gets portals, stops the
// demo with Ctrl-C and starts it again. Everything is still there: the Matrix account, the Gitter login, the same
// portal rooms with their history, and new Gitter messages arrive in them once, without a second login.
import assert from "node:assert/strict";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { bannerCredentials, cleanUpDemo, distinctPorts, interruptDemo, logInToMatrix, startDemo, waitForBanner, type Demo } from "../harness/demo-process";
import type { MatrixUser } from "../harness/matrix-user";
import { sendLoginCode, walkOAuth } from "../harness/oauth-http";

const BOT = "@gitter:localhost";
const LOBBY = "gitter-demo/lobby";

async function postToGitter(gitterPort: number, user: string, room: string, text: string): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${gitterPort}/_emulator/messages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ user, room, text }),
  });
  assert.equal(res.status, 200, await res.text());
}

describe("npm run demo -- --keep", { timeout: 600_000 }, () => {
  const instance = `demo-keep-${process.pid}`;
  let dir: string;
  let args: string[];
  let gitterPort: number;
  let demo: Demo | undefined;
  let matrix: MatrixUser | undefined;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "demo-keep-"));
    const [hs, gitter, as, web] = await distinctPorts(4);
    gitterPort = gitter;
    args = ["--keep", "--dir", dir, "--instance", instance, "--hs-port", `${hs}`, "--gitter-port", `${gitter}`, "--as-port", `${as}`, "--web-port", `${web}`];
  });

  after(async () => {
    await matrix?.stop().catch(() => undefined);
    await cleanUpDemo({ demo, instance, dir });
  });

  it("keeps the Matrix login, the Gitter login and the portals across a restart", async () => {
    demo = startDemo(args);
    const banner = await waitForBanner(demo);
    assert.match(banner, /a new world, kept for the next run/);
    const { homeserver, username, password } = bannerCredentials(banner);

    matrix = await logInToMatrix(homeserver, username, password);
    const control = await matrix.client.createRoom({ invite: [BOT], is_direct: true, preset: "trusted_private_chat" });
    const greeting = await matrix.waitForMessage(control, BOT, /log in with Gitter/);
    const link = /(http:\/\/127\.0\.0\.1:\d+\/login\?state=\S+)/.exec(greeting.body)![1];
    const walk = await walkOAuth(link, { username: "alice", password: "alice-pass" });
    await sendLoginCode(walk, (text) => matrix!.client.sendText(control, text));
    await matrix.waitForMessage(control, BOT, /logged in to Gitter as alice/);
    const lobby = await matrix.waitForInvite((i) => i.name === LOBBY, 60_000);
    await matrix.client.joinRoom(lobby);
    await postToGitter(gitterPort, "bob", LOBBY, "before the restart");
    await matrix.waitForMessage(lobby, "@gitter_bob:localhost", /^before the restart$/, 60_000);
    await matrix.stop();
    matrix = undefined;
    await interruptDemo(demo);

    demo = startDemo(args);
    const again = await waitForBanner(demo);
    assert.match(again, /going on in the last run's world/);
    assert.equal(bannerCredentials(again).password, password, "the same Matrix password");
    matrix = await logInToMatrix(homeserver, username, password);
    assert.equal(matrix.membership(lobby), "join", "the portal room is still there and joined");
    await matrix.client.sendText(control, "status");
    await matrix.waitForMessage(control, BOT, /^Logged in to Gitter as alice/);
    await postToGitter(gitterPort, "bob", LOBBY, "after the restart");
    await matrix.waitForMessage(lobby, "@gitter_bob:localhost", /^after the restart$/, 60_000);
    const bodies = matrix.messages(lobby).filter((m) => m.sender === "@gitter_bob:localhost").map((m) => m.body);
    assert.equal(bodies.filter((b) => b === "before the restart").length, 1, "the old message is not bridged again");
    assert.equal(bodies.filter((b) => b === "after the restart").length, 1);
    await interruptDemo(demo);
  });
});
