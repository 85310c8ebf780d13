// The start-up ping of the homeserver (which also makes Synapse send the transactions it held back) must not be
// lost to a homeserver that is still starting: Synapse answers it 502 then. The bridge process runs as an operator
// runs it, against the no-op homeserver answering 502 to the first pings.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import YAML from "yaml";
import { configureLogging } from "../../src/util/log";
import { startHomeserverStub, type HomeserverStub } from "../harness/hs-stub";
import { eventually, startBridge, writeBridgeFiles, type BridgeFiles, type BridgeProcess } from "../harness/stack";

configureLogging({ level: "error" });

const BAD_GATEWAY = { status: 502, body: { errcode: "M_UNKNOWN", error: "Bad Gateway" } };

describe("the start-up ping of the homeserver", { timeout: 120_000 }, () => {
  let dir: string;
  let hs: HomeserverStub;
  let files: BridgeFiles;
  let bridge: BridgeProcess | undefined;
  /** Pings still to answer 502. */
  let failPings = 0;
  const pings = () => hs.counts.get("ping") ?? 0;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "startup-ping-"));
    hs = await startHomeserverStub({ override: (route) => (route === "ping" && failPings-- > 0 ? BAD_GATEWAY : undefined) });
    files = await writeBridgeFiles({ dir, homeserverUrl: hs.url, domain: "localhost", gitterUrl: "http://127.0.0.1:9", clientId: "ping-test", clientSecret: "s" });
  });
  // A failed test leaves its bridge running: the next one needs the ports.
  afterEach(async () => {
    await bridge?.kill();
    bridge = undefined;
  });
  after(async () => {
    await hs?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function tokens(): Promise<string[]> {
    const reg = YAML.parse(await readFile(files.registrationPath, "utf8")) as { as_token: string; hs_token: string };
    return [reg.as_token, reg.hs_token];
  }

  it("asks again with backoff until the homeserver answers, starting meanwhile, and logs no token", async () => {
    failPings = 3;
    hs.counts.clear();
    bridge = startBridge(files);
    await bridge.waitForLine(/bridge started/);
    assert.ok(pings() < 4, "start-up went on without waiting for the ping to get through");
    await eventually(() => pings() === 4, "the fourth ping, the first answered 200");
    await bridge.waitForLine(/the homeserver reached the bridge/);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(pings(), 4, "no ping after one got through");
    assert.equal(await bridge.stop(), 0);
    const output = bridge.lines.join("\n");
    for (const token of await tokens()) assert.ok(!output.includes(token), "a token in the log");
  });

  it("stops asking when the bridge stops, however long the homeserver keeps failing", async () => {
    failPings = Number.POSITIVE_INFINITY;
    hs.counts.clear();
    bridge = startBridge(files);
    await bridge.waitForLine(/bridge started/);
    await eventually(() => pings() >= 2, "a repeated ping");
    const stopping = Date.now();
    assert.equal(await bridge.stop(), 0);
    assert.ok(Date.now() - stopping < 10_000, "stopped without waiting for the next ping");
    const after = pings();
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(pings(), after);
  });
});
