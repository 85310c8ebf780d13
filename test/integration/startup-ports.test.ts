// A bridge whose port is taken must stop and say so, not run on without the server the homeserver or the users'
// browsers need. The bridge process runs as an operator runs it, against the no-op homeserver.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { configureLogging } from "../../src/util/log";
import { startHomeserverStub, type HomeserverStub } from "../harness/hs-stub";
import { startBridge, writeBridgeFiles, type BridgeFiles } from "../harness/stack";

configureLogging({ level: "error" });

describe("a port already in use at startup", { timeout: 120_000 }, () => {
  let dir: string;
  let hs: HomeserverStub;
  let files: BridgeFiles;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "startup-ports-"));
    hs = await startHomeserverStub();
    files = await writeBridgeFiles({ dir, homeserverUrl: hs.url, domain: "localhost", gitterUrl: "http://127.0.0.1:9", clientId: "ports-test", clientSecret: "s" });
  });
  after(async () => {
    await hs?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  for (const which of ["appservice", "web"] as const) {
    it(`makes the bridge exit 1 naming the address when its ${which} port is taken`, async () => {
      const port = which === "web" ? files.webPort : files.asPort;
      const holder = net.createServer();
      await new Promise<void>((r) => holder.listen(port, "127.0.0.1", () => r()));
      const bridge = startBridge(files);
      // A bridge that took the failure for success would run on: stop it, and the assertions below say why.
      const watch = setInterval(() => bridge.lines.some((l) => /bridge started/.test(l)) && void bridge.stop(), 200);
      try {
        const code = await new Promise<number | null>((r) => bridge.proc.once("exit", (c) => r(c)));
        const output = bridge.lines.join("\n");
        assert.ok(!/bridge started/.test(output), `it never says it started: ${output}`);
        assert.equal(code, 1, output);
        assert.match(output, new RegExp(`EADDRINUSE[^\\n]*127\\.0\\.0\\.1:${port}`), output);
      } finally {
        clearInterval(watch);
        await bridge.kill();
        await new Promise((r) => holder.close(r));
      }
    });
  }
});
