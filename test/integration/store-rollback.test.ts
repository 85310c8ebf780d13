// Migration rollbacks on SQLite (the cases are in store-rollback.ts; PostgreSQL runs them in test/e2e).
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before } from "node:test";
import { configureLogging } from "../../src/util/log";
import { registerRollbackCases } from "./store-rollback";

configureLogging({ level: "warn" });

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "store-rollback-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

registerRollbackCases("sqlite", async (name) => path.join(dir, `${name}.db`));
