// `npm run demo -- --network mattermost` on real parts: Synapse, the Mattermost emulator and the bridge come up on
// the ports given, the banner's credentials and examples work, a newcomer following it (Matrix login, a chat with
// the bot, `login token` with a token the emulator issues) gets their channels as portals and a post made as
// printed arrives in one; Ctrl-C leaves nothing running.
import assert from "node:assert/strict";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { MatrixClient } from "matrix-bot-sdk";
import { MatrixUser } from "../harness/matrix-user";
import { freePort } from "../harness/ports";

const ROOT = path.resolve(__dirname, "../..");
const SYNAPSE = path.join(ROOT, "scripts/synapse.sh");
const BOT = "@mattermost:localhost";
const run = promisify(execFile);

interface Demo {
  proc: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
}

function startDemo(args: string[], env: Record<string, string>): Demo {
  const proc = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "scripts/demo.ts"), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  proc.stdout!.on("data", (c) => (out += c));
  proc.stderr!.on("data", (c) => (out += c));
  return { proc, out: () => out, exited: new Promise((r) => proc.on("exit", (code) => r(code))) };
}

async function ready(demo: Demo): Promise<string> {
  const deadline = Date.now() + 200_000;
  while (!/Press Ctrl-C to stop everything/.test(demo.out())) {
    if (demo.proc.exitCode !== null || Date.now() > deadline) throw new Error(`the demo did not come up:\n${demo.out()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return demo.out();
}

function field(banner: string, re: RegExp, what: string): string {
  const m = re.exec(banner);
  assert.ok(m, `the banner shows ${what}:\n${banner}`);
  return m[1];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

/** Runs one of the banner's curl examples (as fetch) and returns its JSON answer. */
async function curlAsPrinted(banner: string, route: RegExp, what: string): Promise<Record<string, unknown>> {
  const m = new RegExp(`curl -X POST (\\S+${route.source}) -H 'content-type: application/json' (?:\\\\\\n\\s+)?-d '(\\{.*\\})'`).exec(banner);
  assert.ok(m, `the banner shows ${what}:\n${banner}`);
  const res = await fetch(m[1], { method: "POST", headers: { "content-type": "application/json" }, body: m[2] });
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
    dataDir = (await run("bash", [SYNAPSE, "info", instance])).stdout.trim();
  });

  after(async () => {
    await matrix?.stop().catch(() => undefined);
    if (demo && demo.proc.exitCode === null) {
      demo.proc.kill("SIGINT");
      const timer = setTimeout(() => demo!.proc.kill("SIGKILL"), 30_000);
      await demo.exited;
      clearTimeout(timer);
    }
    if (bridgePid && alive(bridgePid)) process.kill(bridgePid, "SIGKILL");
    await run("bash", [SYNAPSE, "stop", instance]).catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
  });

  it("comes up ready to chat on Mattermost, as the banner says, and stops everything on SIGINT", async () => {
    const ports = new Set<number>();
    while (ports.size < 4) ports.add(await freePort());
    const [hs, mm, asPort, web] = [...ports];
    demo = startDemo(
      ["--network", "mattermost", "--dir", dir, "--instance", instance, "--hs-port", String(hs), "--mattermost-port", String(mm)],
      { DEMO_AS_PORT: String(asPort), DEMO_WEB_PORT: String(web) },
    );
    const banner = await ready(demo);
    assert.match(banner, /The demo is ready\./);
    assert.match(banner, /bridge bot @mattermost:localhost/);
    assert.match(banner, /username alice\s+password alice-pass/);
    assert.match(banner, new RegExp(`Mattermost emulator\\s+http://127\\.0\\.0\\.1:${mm}`));
    const homeserver = field(banner, /^\s+homeserver\s+(\S+)$/m, "the homeserver URL");
    const username = field(banner, /^\s+username\s+(\S+)\s+\(@/m, "the Matrix username");
    const password = field(banner, /^\s+password\s+(\S+)$/m, "the Matrix password");
    bridgePid = Number(field(banner, /bridge running \(pid (\d+)\)/, "the bridge's pid"));
    assert.equal((await fetch(`http://127.0.0.1:${web}/health`)).status, 200);

    const login = await fetch(`${homeserver}/_matrix/client/v3/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: "m.login.password", identifier: { type: "m.id.user", user: username }, password }),
    });
    const session = (await login.json()) as { user_id: string; access_token: string };
    assert.equal(login.status, 200, "the printed password logs in");
    matrix = new MatrixUser(new MatrixClient(homeserver, session.access_token), session.user_id);
    await matrix.start();
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
    demo.proc.kill("SIGINT");
    assert.equal(await demo.exited, 0, `the demo exits 0 after SIGINT:\n${demo.out()}`);
    assert.match(demo.out(), /all stopped/);
    assert.equal(alive(synapsePid), false, "Synapse is gone");
    assert.equal(alive(bridgePid), false, "the bridge is gone");
    for (const p of [hs, mm, asPort, web]) assert.equal(await portFree(p), true, `port ${p} is free again`);
  });
});
