// metrics.port: /metrics moves to a private listener of its own and leaves the public web server, which keeps
// the login pages and /ready. The bridge process is started as an operator starts it, with the emulator and a
// no-op homeserver.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { configureLogging } from "../../src/util/log";
import { startHomeserverStub, type HomeserverStub } from "../harness/hs-stub";
import { freePort } from "../harness/ports";
import { parseMetrics, sample, scrape } from "../harness/prom";
import { startBridge, writeBridgeFiles, type BridgeFiles, type BridgeProcess } from "../harness/stack";

configureLogging({ level: "warn" });

describe("metrics on a private listener", { timeout: 90_000 }, () => {
  let dir: string;
  let emulator: RunningEmulator;
  let hs: HomeserverStub;
  let files: BridgeFiles;
  let bridge: BridgeProcess;
  let metricsPort: number;
  let startLine: string;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "bridge-metrics-listener-"));
    emulator = await startEmulator({ control: true, fixture: { users: [{ username: "alice" }], rooms: [] } });
    hs = await startHomeserverStub();
    metricsPort = await freePort();
    files = await writeBridgeFiles({
      dir,
      homeserverUrl: hs.url,
      domain: "localhost",
      gitterUrl: emulator.url,
      clientId: "metrics-test",
      clientSecret: "s",
      metricsPort,
    });
    bridge = startBridge(files);
    startLine = await bridge.waitForLine(/bridge started/);
  });

  after(async () => {
    await bridge?.stop();
    await hs?.stop();
    await emulator?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("serves /metrics on metrics.port and not on the web server", async () => {
    const web = `http://127.0.0.1:${files.webPort}`;
    assert.equal((await fetch(`${web}/metrics`)).status, 404);
    assert.equal((await fetch(`${web}/health`)).status, 200);
    const metrics = await scrape(`http://127.0.0.1:${metricsPort}`);
    assert.equal(sample(metrics, "gitter_bridge_messages_total", { direction: "gitter-to-matrix" }), 0);
    assert.match(startLine, new RegExp(`"metrics":"http://127\\.0\\.0\\.1:${metricsPort}"`));
  });

  it("names the version in build_info and in the start-up line", async () => {
    const { version } = JSON.parse(readFileSync(path.join(__dirname, "../../package.json"), "utf8")) as { version: string };
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    assert.equal(sample(parseMetrics(text), "gitter_bridge_build_info", { version, node: process.version }), 1);
    assert.match(startLine, new RegExp(`"version":"${version.replace(/\./g, "\\.")}"`));
  });
});
