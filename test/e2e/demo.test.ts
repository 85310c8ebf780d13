// The one-command local stack (`npm run demo`) on real parts: it must come up on the ports it is given, print a
// banner whose credentials work, and leave nothing running after Ctrl-C (SIGINT).
import assert from "node:assert/strict";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { freePort } from "../harness/ports";

const ROOT = path.resolve(__dirname, "../..");
const SYNAPSE = path.join(ROOT, "scripts/synapse.sh");
const run = promisify(execFile);

interface Demo {
  proc: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
}

function startDemo(args: string[], env: Record<string, string>): Demo {
  const proc = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "scripts/demo.ts"), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  proc.stdout!.on("data", (c) => (out += c));
  proc.stderr!.on("data", (c) => (err += c));
  const exited = new Promise<number | null>((r) => proc.on("exit", (code) => r(code)));
  return { proc, out: () => out, err: () => err, exited };
}

/** Resolves with stdout once it matches `re`; rejects if the demo exits first or the time runs out. */
function waitForOutput(demo: Demo, re: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`no ${re} within ${timeoutMs} ms:\n${demo.out()}\n${demo.err()}`)), timeoutMs);
    const check = () => re.test(demo.out()) && finish();
    const onExit = (code: number | null) => finish(new Error(`the demo exited (${code}) before ${re}:\n${demo.out()}\n${demo.err()}`));
    const finish = (error?: Error) => {
      clearTimeout(timer);
      demo.proc.stdout!.off("data", check);
      demo.proc.off("exit", onExit);
      if (error) reject(error);
      else resolve(demo.out());
    };
    demo.proc.stdout!.on("data", check);
    demo.proc.once("exit", onExit);
    check();
  });
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

async function distinctPorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

function field(banner: string, re: RegExp, what: string): string {
  const m = re.exec(banner);
  assert.ok(m, `the banner shows ${what}:\n${banner}`);
  return m[1];
}

describe("npm run demo", { timeout: 240_000 }, () => {
  const instance = `demo-test-${process.pid}`;
  let dir: string;
  let dataDir: string;
  let demo: Demo | undefined;
  let bridgePid: number | undefined;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "demo-test-"));
    dataDir = (await run("bash", [SYNAPSE, "info", instance])).stdout.trim();
  });

  after(async () => {
    // After a failure: stop it the polite way first (it stops its own children), then by force.
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

  it("refuses a port that is taken, naming it and the flag that moves it", async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", () => r()));
    const taken = (blocker.address() as net.AddressInfo).port;
    try {
      const d = startDemo(["--dir", dir, "--instance", instance, "--web-port", String(taken)], {});
      assert.equal(await d.exited, 2);
      assert.match(d.err(), new RegExp(`port ${taken} \\(the bridge's web server\\) is in use`));
      assert.match(d.err(), /--web-port N/);
    } finally {
      blocker.close();
    }
  });

  it("comes up on the given ports, prints working credentials, and stops everything on SIGINT", async () => {
    let hs = 0, gitter = 0, asPort = 0, web = 0;
    let banner = "";
    // freePort() only says a port was free a moment ago; on a busy machine another process may take it first, which
    // the demo reports as exit 2 "is in use". Fresh ports then; any other failure fails the test.
    for (let attempt = 1; ; attempt++) {
      const [h, g, a, w] = await distinctPorts(4);
      [hs, gitter, asPort, web] = [h, g, a, w];
      // Two ports by flag, two by environment: both ways must work.
      demo = startDemo(["--dir", dir, "--instance", instance, "--hs-port", String(h), "--gitter-port", String(g)], {
        DEMO_AS_PORT: String(a),
        DEMO_WEB_PORT: String(w),
      });
      try {
        banner = await waitForOutput(demo, /Press Ctrl-C to stop everything/, 200_000);
        break;
      } catch (err) {
        if (attempt >= 3 || !/is in use on 127\.0\.0\.1/.test(demo.err())) throw err;
      }
    }
    assert.match(banner, /The demo is ready\./);
    const homeserver = field(banner, /^\s+homeserver\s+(\S+)$/m, "the homeserver URL");
    assert.equal(homeserver, `http://127.0.0.1:${hs}`);
    const userId = field(banner, /^\s+username\s+\S+\s+\((@\S+)\)$/m, "the Matrix id");
    const username = field(banner, /^\s+username\s+(\S+)\s+\(@/m, "the Matrix username");
    const password = field(banner, /^\s+password\s+(\S+)$/m, "the Matrix password");
    assert.match(banner, /bridge bot @gitter:localhost/);
    assert.match(banner, /username alice\s+password alice-pass/);
    bridgePid = Number(field(banner, /bridge running \(pid (\d+)\)/, "the bridge's pid"));
    const synapsePid = Number((await readFile(path.join(dataDir, "pid"), "utf8")).trim());

    await checkLogin(homeserver, username, password, userId);
    const health = await fetch(`http://127.0.0.1:${web}/health`);
    assert.equal(health.status, 200, "the bridge's web server answers on the web port");
    await postAsPrinted(banner, gitter);

    demo.proc.kill("SIGINT");
    assert.equal(await demo.exited, 0, `the demo exits 0 after SIGINT:\n${demo.out()}\n${demo.err()}`);
    assert.match(demo.out(), /all stopped/);
    assert.equal(alive(synapsePid), false, "Synapse is gone");
    assert.equal(alive(bridgePid), false, "the bridge is gone");
    for (const p of [hs, gitter, asPort, web]) assert.equal(await portFree(p), true, `port ${p} is free again`);
  });
});

async function checkLogin(homeserver: string, user: string, password: string, userId: string): Promise<void> {
  const login = (pw: string) =>
    fetch(`${homeserver}/_matrix/client/v3/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: "m.login.password", identifier: { type: "m.id.user", user }, password: pw }),
    });
  const wrong = await login(`${password}-wrong`);
  assert.equal(wrong.status, 403, "a wrong password is refused");
  const res = await login(password);
  const body = (await res.json()) as { user_id?: string; access_token?: string };
  assert.equal(res.status, 200, `the printed password logs in: ${JSON.stringify(body)}`);
  assert.equal(body.user_id, userId);
}

/** Runs the banner's curl example (as fetch): the control API must accept it. */
async function postAsPrinted(banner: string, gitterPort: number): Promise<void> {
  const url = field(banner, /curl -X POST (\S+)/, "the control API example");
  assert.equal(url, `http://127.0.0.1:${gitterPort}/_emulator/messages`);
  const body = field(banner, /-d '(\{.*\})'/, "the example's body");
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  assert.equal((JSON.parse(text) as { text?: string }).text, (JSON.parse(body) as { text: string }).text);
}
