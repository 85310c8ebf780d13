// `npm run demo -- --keep` on real parts: a newcomer logs in to Matrix and to Gitter, gets portals, stops the
// demo with Ctrl-C and starts it again. Everything is still there: the Matrix account, the Gitter login, the same
// portal rooms with their history, and new Gitter messages arrive in them once, without a second login.
import assert from "node:assert/strict";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { MatrixClient } from "matrix-bot-sdk";
import { MatrixUser } from "../harness/matrix-user";
import { sendLoginCode, walkOAuth } from "../harness/oauth-http";
import { freePort } from "../harness/ports";

const ROOT = path.resolve(__dirname, "../..");
const SYNAPSE = path.join(ROOT, "scripts/synapse.sh");
const BOT = "@gitter:localhost";
const LOBBY = "gitter-demo/lobby";
const run = promisify(execFile);

interface Demo {
  proc: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
}

function startDemo(args: string[]): Demo {
  const proc = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "scripts/demo.ts"), ...args], {
    cwd: ROOT,
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
    if (demo.proc.exitCode !== null) throw new Error(`the demo exited (${demo.proc.exitCode}):\n${demo.out()}`);
    if (Date.now() > deadline) throw new Error(`the demo did not come up:\n${demo.out()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return demo.out();
}

async function stopDemo(demo: Demo): Promise<void> {
  demo.proc.kill("SIGINT");
  assert.equal(await demo.exited, 0, demo.out());
}

async function logInToMatrix(homeserver: string, user: string, password: string): Promise<MatrixUser> {
  const res = await fetch(`${homeserver}/_matrix/client/v3/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ type: "m.login.password", identifier: { type: "m.id.user", user }, password }),
  });
  const body = (await res.json()) as { user_id: string; access_token: string };
  assert.equal(res.status, 200, JSON.stringify(body));
  const matrix = new MatrixUser(new MatrixClient(homeserver, body.access_token), body.user_id);
  await matrix.start();
  return matrix;
}

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
    const ports = new Set<number>();
    while (ports.size < 4) ports.add(await freePort());
    const [hs, gitter, as, web] = [...ports];
    gitterPort = gitter;
    args = ["--keep", "--dir", dir, "--instance", instance, "--hs-port", `${hs}`, "--gitter-port", `${gitter}`, "--as-port", `${as}`, "--web-port", `${web}`];
  });

  after(async () => {
    await matrix?.stop().catch(() => undefined);
    if (demo && demo.proc.exitCode === null) {
      demo.proc.kill("SIGINT");
      await demo.exited;
    }
    const dataDir = (await run("bash", [SYNAPSE, "info", instance])).stdout.trim();
    await run("bash", [SYNAPSE, "stop", instance]).catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps the Matrix login, the Gitter login and the portals across a restart", async () => {
    demo = startDemo(args);
    const banner = await ready(demo);
    assert.match(banner, /a new world, kept for the next run/);
    const homeserver = /^\s+homeserver\s+(\S+)$/m.exec(banner)![1];
    const username = /^\s+username\s+(\S+)\s+\(@/m.exec(banner)![1];
    const password = /^\s+password\s+(\S+)$/m.exec(banner)![1];

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
    await stopDemo(demo);

    demo = startDemo(args);
    const again = await ready(demo);
    assert.match(again, /going on in the last run's world/);
    assert.equal(/^\s+password\s+(\S+)$/m.exec(again)![1], password, "the same Matrix password");
    matrix = await logInToMatrix(homeserver, username, password);
    assert.equal(matrix.membership(lobby), "join", "the portal room is still there and joined");
    await matrix.client.sendText(control, "status");
    await matrix.waitForMessage(control, BOT, /^Logged in to Gitter as alice/);
    await postToGitter(gitterPort, "bob", LOBBY, "after the restart");
    await matrix.waitForMessage(lobby, "@gitter_bob:localhost", /^after the restart$/, 60_000);
    const bodies = matrix.messages(lobby).filter((m) => m.sender === "@gitter_bob:localhost").map((m) => m.body);
    assert.equal(bodies.filter((b) => b === "before the restart").length, 1, "the old message is not bridged again");
    assert.equal(bodies.filter((b) => b === "after the restart").length, 1);
    await stopDemo(demo);
  });
});
