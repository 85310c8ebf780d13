// The bridge's files on disk, from a real start: a new data folder is 0700, the database and the files SQLite adds
// beside it (-wal, -shm, and -journal outside WAL mode) 0600, the token key and the registration 0600, whatever
// the umask (the bridge runs here with umask 000, which would leave SQLite's defaults world-writable). A data
// folder the operator made more open is left as it is, and the bridge says so.
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { openKnex, parseDatabaseUrl } from "../../src/store/connection";
import { configureLogging } from "../../src/util/log";
import { startHomeserverStub, type HomeserverStub } from "../harness/hs-stub";
import { startBridge, writeBridgeFiles, type BridgeFiles, type BridgeProcess } from "../harness/stack";

configureLogging({ level: "warn" });

const modeOf = (file: string) => (statSync(file).mode & 0o777).toString(8).padStart(4, "0");

/** Writes the bridge's files in `dir` and starts it with the umask given, restoring the test's own after. */
async function startWithUmask(dir: string, hs: HomeserverStub, umask: number): Promise<{ files: BridgeFiles; bridge: BridgeProcess }> {
  const previous = process.umask(umask);
  try {
    const files = await writeBridgeFiles({ dir, homeserverUrl: hs.url, domain: "localhost", gitterUrl: "http://127.0.0.1:9", clientId: "c", clientSecret: "s" });
    const bridge = startBridge(files);
    await bridge.waitForLine(/bridge started/);
    return { files, bridge };
  } finally {
    process.umask(previous);
  }
}

describe("file modes", { timeout: 90_000 }, () => {
  let root: string;
  let hs: HomeserverStub;
  const bridges: BridgeProcess[] = [];

  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), "file-modes-"));
    hs = await startHomeserverStub();
  });

  after(async () => {
    for (const b of bridges) await b.stop();
    await hs?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it("makes a new data folder 0700 and every file in it 0600", async () => {
    const dir = path.join(root, "fresh");
    const { files, bridge } = await startWithUmask(dir, hs, 0o000);
    bridges.push(bridge);
    const data = path.join(dir, "data");
    const db = path.join(data, "bridge.db");
    assert.equal(modeOf(data), "0700");
    for (const file of [db, `${db}-wal`, `${db}-shm`, path.join(data, "bridge.key"), files.registrationPath]) {
      assert.equal(modeOf(file), "0600", file);
    }
    assert.equal(bridge.lines.some((l) => /open to other local users|readable by other local users/.test(l)), false);
    await bridge.stop();
    // Outside WAL mode SQLite keeps a rollback journal beside the database while it writes: it gets the same mode.
    const previous = process.umask(0);
    const knex = openKnex(parseDatabaseUrl(`sqlite:${db}`));
    try {
      await knex.raw("PRAGMA journal_mode=DELETE");
      await knex.transaction(async (trx) => {
        await trx.raw("CREATE TABLE journal_probe (x INTEGER)");
        assert.equal(modeOf(`${db}-journal`), "0600");
      });
    } finally {
      await knex.destroy();
      process.umask(previous);
    }
  });

  it("leaves a data folder the operator opened up as it is, and warns with the fix", async () => {
    const dir = path.join(root, "shared");
    const data = path.join(dir, "data");
    await mkdir(data, { recursive: true });
    await chmod(data, 0o755);
    const { bridge } = await startWithUmask(dir, hs, 0o022);
    bridges.push(bridge);
    assert.equal(modeOf(data), "0755");
    assert.equal(modeOf(path.join(data, "bridge.db")), "0600");
    const warning = JSON.parse(bridge.lines.find((l) => /the data folder is open to other local users/.test(l)) ?? "{}") as Record<string, unknown>;
    assert.equal(warning.level, "warn");
    assert.equal(warning.mode, "0755");
    assert.equal(warning.fix, `chmod 700 ${data}`);
  });
});
