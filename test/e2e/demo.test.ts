// The one-command local stack (`npm run demo`) on real parts: it must come up on the ports it is given, print a
// banner whose credentials work, and leave nothing running after Ctrl-C (SIGINT).
import assert from "node:assert/strict";
import { mkdtemp, readFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import {
  alive, bannerCredentials, cleanUpDemo, distinctPorts, field, interruptDemo, portFree, startDemo, synapseDataDir, waitForBanner, type Demo,
} from "../harness/demo-process";

describe("npm run demo", { timeout: 240_000 }, () => {
  const instance = `demo-test-${process.pid}`;
  let dir: string;
  let dataDir: string;
  let demo: Demo | undefined;
  let bridgePid: number | undefined;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "demo-test-"));
    dataDir = await synapseDataDir(instance);
  });

  after(() => cleanUpDemo({ demo, bridgePid, instance, dir }));

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
        banner = await waitForBanner(demo);
        break;
      } catch (err) {
        if (attempt >= 3 || !/is in use on 127\.0\.0\.1/.test(demo.err())) throw err;
      }
    }
    assert.match(banner, /The demo is ready\./);
    const { homeserver, username, password } = bannerCredentials(banner);
    assert.equal(homeserver, `http://127.0.0.1:${hs}`);
    const userId = field(banner, /^\s+username\s+\S+\s+\((@\S+)\)$/m, "the Matrix id");
    assert.match(banner, /bridge bot @gitter:localhost/);
    assert.match(banner, /username alice\s+password alice-pass/);
    bridgePid = Number(field(banner, /bridge running \(pid (\d+)\)/, "the bridge's pid"));
    const synapsePid = Number((await readFile(path.join(dataDir, "pid"), "utf8")).trim());

    await checkLogin(homeserver, username, password, userId);
    const health = await fetch(`http://127.0.0.1:${web}/health`);
    assert.equal(health.status, 200, "the bridge's web server answers on the web port");
    await postAsPrinted(banner, gitter);

    await interruptDemo(demo);
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
