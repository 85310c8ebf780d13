// `npm run demo -- --network mattermost --keep` on real parts: Synapse, the Mattermost emulator and the bridge come
// up on the ports given, the banner's credentials and examples work, a newcomer following it (Matrix login, a chat
// with the bot, `login token` with a token the emulator issues) gets their channels as portals and a post made as
// printed arrives in one; Ctrl-C leaves nothing running. Started again, the demo goes on in the same world: the
// Matrix account, the Mattermost login and the portals are there, and a new post arrives once.
import assert from "node:assert/strict";
import { mkdtemp, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import {
  alive, bannerCredentials, cleanUpDemo, distinctPorts, field, interruptDemo, logInToMatrix, portFree, startDemo, synapseDataDir, waitForBanner,
  type Demo,
} from "../harness/demo-process";
import type { MatrixUser } from "../harness/matrix-user";

const BOT = "@mattermost:localhost";

/**
 * Runs one of the banner's curl examples (as fetch) and returns its JSON answer; `change` is merged into its body.
 */
async function curlAsPrinted(banner: string, route: RegExp, what: string, change: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const m = new RegExp(`curl -X POST (\\S+${route.source}) -H 'content-type: application/json' (?:\\\\\\n\\s+)?-d '(\\{.*\\})'`).exec(banner);
  assert.ok(m, `the banner shows ${what}:\n${banner}`);
  const body = JSON.stringify({ ...(JSON.parse(m[2]) as Record<string, unknown>), ...change });
  const res = await fetch(m[1], { method: "POST", headers: { "content-type": "application/json" }, body });
  const text = await res.text();
  assert.equal(res.status, 201, `${what}: ${res.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** Waits until someone else's message with `text` is in the room. */
async function arrives(user: MatrixUser, roomId: string, text: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!user.messages(roomId).some((m) => m.sender !== user.userId && m.body.includes(text))) {
    if (Date.now() > deadline) throw new Error(`"${text}" never arrived in ${roomId}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("npm run demo -- --network mattermost", { timeout: 300_000 }, () => {
  const instance = `demo-mm-test-${process.pid}`;
  let dir: string;
  let dataDir: string;
  let demo: Demo | undefined;
  let bridgePid: number | undefined;
  let matrix: MatrixUser | undefined;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "demo-mm-test-"));
    dataDir = await synapseDataDir(instance);
  });

  after(async () => {
    await matrix?.stop().catch(() => undefined);
    await cleanUpDemo({ demo, bridgePid, instance, dir });
  });

  it("comes up ready to chat on Mattermost, as the banner says, stops everything on SIGINT, and keeps its world", async () => {
    const [hs, mm, asPort, web] = await distinctPorts(4);
    const args = ["--network", "mattermost", "--keep", "--dir", dir, "--instance", instance, "--hs-port", String(hs), "--mattermost-port", String(mm)];
    const env = { DEMO_AS_PORT: String(asPort), DEMO_WEB_PORT: String(web) };
    demo = startDemo(args, env);
    const banner = await waitForBanner(demo);
    assert.match(banner, /The demo is ready\./);
    assert.match(demo.out(), /a new world, kept for the next run/);
    assert.match(banner, /bridge bot @mattermost:localhost/);
    assert.match(banner, /username alice\s+password alice-pass/);
    assert.match(banner, new RegExp(`Mattermost emulator\\s+http://127\\.0\\.0\\.1:${mm}`));
    const { homeserver, username, password } = bannerCredentials(banner);
    bridgePid = Number(field(banner, /bridge running \(pid (\d+)\)/, "the bridge's pid"));
    assert.equal((await fetch(`http://127.0.0.1:${web}/health`)).status, 200);

    matrix = await logInToMatrix(homeserver, username, password);
    const control = await matrix.client.createRoom({ invite: [BOT], is_direct: true, preset: "trusted_private_chat" });
    await matrix.waitForMessage(control, BOT, /log in/i, 60_000);
    const issued = await curlAsPrinted(banner, /\/_emulator\/tokens/, "the token example");
    await matrix.client.sendText(control, `login token ${String(issued.token)}`);
    await matrix.waitForMessage(control, BOT, /Token accepted: .* account alice/, 60_000);
    const portal = await matrix.waitForInvite((i) => i.name?.startsWith("Town Square") === true, 90_000);
    await matrix.client.joinRoom(portal);
    const posted = await curlAsPrinted(banner, /\/_emulator\/posts/, "the post example");
    assert.equal(posted.message, "hello from Mattermost");
    await arrives(matrix, portal, "hello from Mattermost");

    const synapsePid = Number((await readFile(path.join(dataDir, "pid"), "utf8")).trim());
    await matrix.stop();
    matrix = undefined;
    await interruptDemo(demo);
    assert.match(demo.out(), /all stopped/);
    assert.equal(alive(synapsePid), false, "Synapse is gone");
    assert.equal(alive(bridgePid), false, "the bridge is gone");
    for (const p of [hs, mm, asPort, web]) assert.equal(await portFree(p), true, `port ${p} is free again`);

    demo = startDemo(args, env);
    const again = await waitForBanner(demo);
    assert.match(demo.out(), /going on in the last run's world/);
    bridgePid = Number(field(again, /bridge running \(pid (\d+)\)/, "the bridge's pid"));
    matrix = await logInToMatrix(homeserver, username, password);
    assert.equal(matrix.membership(portal), "join", "the portal room is still there and joined");
    await matrix.client.sendText(control, "status");
    await matrix.waitForMessage(control, BOT, /^Logged in to Mattermost as alice/, 60_000);
    await curlAsPrinted(again, /\/_emulator\/posts/, "the post example", { message: "after the restart" });
    await arrives(matrix, portal, "after the restart");
    const bodies = matrix.messages(portal).filter((m) => m.sender !== matrix!.userId).map((m) => m.body);
    assert.equal(bodies.filter((b) => b.includes("hello from Mattermost")).length, 1, "the old post is not bridged again");
    assert.equal(bodies.filter((b) => b.includes("after the restart")).length, 1);
    await matrix.stop();
    matrix = undefined;
    await interruptDemo(demo);
    assert.equal(alive(bridgePid), false, "the bridge is gone");
  });
});
