import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { loadFixture } from "../../emulator/fixture";
import { readyBanner } from "../../scripts/demo/banner";
import { prepareBridgeFiles } from "../../scripts/demo/files";
import { checkPortsFree, DEMO_USAGE, DemoUsageError, parseDemoOptions, PORT_SPECS, PortsTakenError } from "../../scripts/demo/options";
import { Teardown } from "../../scripts/demo/teardown";

const FIXTURE = path.resolve(__dirname, "../../fixtures/demo.yaml");

describe("demo options", () => {
  it("defaults to the ports the README and fixtures/demo.yaml name", () => {
    const o = parseDemoOptions([], {});
    assert.deepEqual(o.ports, { homeserver: 8008, gitter: 5555, mattermost: 8065, appservice: 9898, web: 9899 });
    assert.equal(o.instance, "demo");
    assert.equal(path.basename(o.dir), ".demo");
  });

  it("takes ports from the environment, and flags over the environment", () => {
    const o = parseDemoOptions(["--hs-port", "18008", "--web-port=19899"], { DEMO_HS_PORT: "28008", DEMO_GITTER_PORT: "25555" });
    assert.deepEqual(o.ports, { homeserver: 18008, gitter: 25555, mattermost: 8065, appservice: 9898, web: 19899 });
  });

  it("refuses bad ports, a port used twice, unknown flags and odd instance names", () => {
    assert.throws(() => parseDemoOptions(["--hs-port", "0"], {}), DemoUsageError);
    assert.throws(() => parseDemoOptions([], { DEMO_WEB_PORT: "99999" }), /DEMO_WEB_PORT must be a port number/);
    assert.throws(() => parseDemoOptions(["--as-port", "5555"], {}), /--as-port and --gitter-port are both 5555/);
    assert.throws(() => parseDemoOptions(["--hs-port"], {}), /--hs-port needs a value/);
    assert.throws(() => parseDemoOptions(["--verbose"], {}), /unknown option --verbose/);
    assert.throws(() => parseDemoOptions(["--instance", "../x"], {}), /instance name/);
  });

  it("keeps the world with --keep or DEMO_KEEP=1, and not otherwise", () => {
    assert.equal(parseDemoOptions([], {}).keep, false);
    assert.equal(parseDemoOptions(["--keep"], {}).keep, true);
    assert.equal(parseDemoOptions([], { DEMO_KEEP: "1" }).keep, true);
    assert.throws(() => parseDemoOptions(["--keep=yes"], {}), /unknown option --keep/);
  });

  it("runs Gitter by default, Mattermost with --network mattermost or DEMO_NETWORK, each with its fixture and ports", () => {
    assert.equal(parseDemoOptions([], {}).network, "gitter");
    const mm = parseDemoOptions(["--network", "mattermost", "--mattermost-port", "18065"], {});
    assert.equal(mm.network, "mattermost");
    assert.equal(mm.ports.mattermost, 18065);
    assert.equal(path.basename(mm.fixture), "mattermost-demo.yaml");
    assert.equal(parseDemoOptions([], { DEMO_NETWORK: "mattermost" }).network, "mattermost");
    assert.throws(() => parseDemoOptions(["--network", "irc"], {}), /--network must be gitter or mattermost/);
    assert.equal(parseDemoOptions(["--network", "mattermost", "--keep"], {}).keep, true);
    // The other network's emulator port is not used, so it may be anything.
    assert.doesNotThrow(() => parseDemoOptions(["--gitter-port", "9898"], { DEMO_NETWORK: "mattermost" }));
    assert.throws(() => parseDemoOptions(["--network", "mattermost", "--mattermost-port", "9898"], {}), /--as-port and --mattermost-port are both 9898/);
    assert.match(DEMO_USAGE, /--network NAME .*gitter or mattermost/);
  });

  it("has a usage text that names every port flag, its variable and its default", () => {
    for (const s of PORT_SPECS) assert.match(DEMO_USAGE, new RegExp(`${s.flag} N .*\\(${s.env}, default ${s.default}\\)`));
    assert.match(DEMO_USAGE, /--keep/);
  });

  it("scripts/demo.sh --help prints the usage at once, installing and running nothing", () => {
    // Every tool the script would install or run first is a trap that leaves a mark.
    const bin = mkdtempSync(path.join(os.tmpdir(), "demo-help-"));
    const marks = path.join(bin, "marks");
    try {
      for (const tool of ["apt-get", "dpkg-query", "debootstrap", "npm", "node", "id", "chroot"]) {
        writeFileSync(path.join(bin, tool), `#!/bin/sh\ntouch "${marks}-${tool}"\nexit 1\n`);
        chmodSync(path.join(bin, tool), 0o755);
      }
      const script = path.resolve(__dirname, "../../scripts/demo.sh");
      const r = spawnSync("/bin/bash", [script, "--port-typo", "--help"], { env: { PATH: `${bin}:/usr/bin:/bin` }, encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, DEMO_USAGE);
      assert.deepEqual(readdirSync(bin).filter((f) => f.startsWith("marks")), []);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it("writes the bridge's config again when this version no longer takes the one an earlier demo wrote", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "demo-files-"));
    try {
      const opts = { ...parseDemoOptions([], {}), dir };
      const app = { clientId: "demo", clientSecret: "secret", redirectUri: "http://127.0.0.1:9899/oauth/callback" };
      const state = { ports: opts.ports, matrixUser: { localpart: "demo", password: "pw" } };
      assert.equal((await prepareBridgeFiles(opts, undefined, app)).written, true);
      assert.equal((await prepareBridgeFiles(opts, state, app)).written, false);
      const config = path.join(dir, "config.yaml");
      writeFileSync(config, readFileSync(config, "utf8").replace(/^gitter:\n/m, "gitter:\n  streamUrl: http://127.0.0.1:5555\n"));
      assert.equal((await prepareBridgeFiles(opts, state, app)).written, true);
      assert.doesNotMatch(readFileSync(config, "utf8"), /streamUrl/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("names a taken port and how to move it", async () => {
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
    const taken = (srv.address() as net.AddressInfo).port;
    try {
      const ports = { ...parseDemoOptions([], {}).ports, gitter: taken };
      await assert.rejects(checkPortsFree(ports), (err: Error) => {
        assert.ok(err instanceof PortsTakenError);
        assert.match(err.message, new RegExp(`port ${taken} \\(the Gitter emulator\\).*--gitter-port N.*DEMO_GITTER_PORT=N`));
        return true;
      });
    } finally {
      srv.close();
    }
  });
});

describe("demo banner", () => {
  const banner = readyBanner({
    homeserverUrl: "http://127.0.0.1:8008",
    userId: "@demo:localhost",
    localpart: "demo",
    password: "s3cret",
    bot: "@gitter:localhost",
    gitterUrl: "http://127.0.0.1:5555",
    webUrl: "http://127.0.0.1:9899",
    fixture: loadFixture(FIXTURE),
    bridgeLog: ".demo/bridge.log",
    synapseLog: "/cache/demo/homeserver.log",
  });

  it("says where to sign in, whom to talk to, and which Gitter login to use, from the fixture", () => {
    assert.match(banner, /homeserver\s+http:\/\/127\.0\.0\.1:8008/);
    assert.match(banner, /username\s+demo\s+\(@demo:localhost\)/);
    assert.match(banner, /password\s+s3cret/);
    assert.match(banner, /@gitter:localhost/);
    assert.match(banner, /username alice\s+password alice-pass/);
    assert.match(banner, /bob \/ bob-pass/);
    assert.match(banner, /Continue to Gitter[\s\S]*send the bot the `login <code>` line the bridge's page shows/);
  });

  it("shows a control API example that posts as another member of the first user's room", () => {
    const body = /-d '(\{.*\})'/.exec(banner)?.[1];
    assert.ok(body);
    assert.deepEqual(JSON.parse(body), { user: "bob", room: "gitter-demo/lobby", text: "hello from Gitter" });
    assert.match(banner, /curl -X POST http:\/\/127\.0\.0\.1:5555\/_emulator\/messages/);
  });
});

describe("demo teardown", () => {
  it("stops newest first, reports failures, and stops a part added after stopping began", async () => {
    const lines: string[] = [];
    const order: string[] = [];
    const t = new Teardown((l) => lines.push(l));
    await t.add("a", async () => void order.push("a"));
    await t.add("b", async () => {
      throw new Error("stuck");
    });
    await t.add("c", async () => void order.push("c"));
    const clean = await t.stopAll();
    assert.equal(clean, false);
    assert.deepEqual(order, ["c", "a"]);
    assert.ok(lines.includes("could not stop b: stuck"));
    await t.add("late", async () => void order.push("late"));
    assert.deepEqual(order, ["c", "a", "late"]);
    assert.equal(await t.stopAll(), false, "stopAll is the same promise when called again");
  });
});
