// A throwaway PostgreSQL 15 cluster for tests: its own temp folder, loopback only, an ephemeral port, a random
// password (so the URL is exercised like a production one), fsync off. Needs root and the Debian postgresql-15
// package: the server refuses to run as root, so initdb/pg_ctl run as the `postgres` OS user via runuser.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chown, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { freePort } from "./ports";

const run = promisify(execFile);
const BIN = "/usr/lib/postgresql/15/bin";
const OS_USER = "postgres";
const DB_USER = "bridge";

export interface PostgresHandle {
  /** `postgres://bridge:<password>@127.0.0.1:<port>/postgres` */
  url: string;
  /** Stops the server and deletes its folder. Safe to call twice. */
  stop(): Promise<void>;
}

async function osUserIds(): Promise<{ uid: number; gid: number }> {
  const [{ stdout: uid }, { stdout: gid }] = await Promise.all([run("id", ["-u", OS_USER]), run("id", ["-g", OS_USER])]);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}

/** Runs a PostgreSQL binary as the postgres user, from inside `cwd` (root's cwd may be unreadable to it). */
async function asPostgres(cwd: string, binary: string, args: string[]): Promise<void> {
  try {
    await run("runuser", ["-u", OS_USER, "--", path.join(BIN, binary), ...args], { cwd, maxBuffer: 1 << 22 });
  } catch (err) {
    const e = err as Error & { stderr?: string; stdout?: string };
    throw new Error(`${binary} failed: ${e.message}\n${e.stdout ?? ""}${e.stderr ?? ""}`, { cause: err });
  }
}

export async function startPostgres(): Promise<PostgresHandle> {
  if (process.getuid?.() !== 0) throw new Error("startPostgres needs root (it runs the server as the postgres user)");
  const dir = await mkdtemp(path.join(os.tmpdir(), "pg-test-"));
  const { uid, gid } = await osUserIds();
  await chown(dir, uid, gid);
  const data = path.join(dir, "data");
  const password = randomBytes(12).toString("hex");
  const pwfile = path.join(dir, "pwfile");
  await writeFile(pwfile, password + "\n", { mode: 0o600 });
  await chown(pwfile, uid, gid);
  let started = false;
  const stop = async () => {
    if (started) {
      started = false;
      await asPostgres(dir, "pg_ctl", ["stop", "-D", data, "-m", "immediate", "-w"]).catch(() => undefined);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await asPostgres(dir, "initdb", [
      "-D", data, "-U", DB_USER, `--pwfile=${pwfile}`, "--auth=scram-sha-256",
      "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync",
    ]);
    const port = await freePort();
    const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c full_page_writes=off`;
    started = true;
    await asPostgres(dir, "pg_ctl", ["start", "-D", data, "-l", path.join(dir, "server.log"), "-w", "-t", "60", "-o", options]);
    return { url: `postgres://${DB_USER}:${password}@127.0.0.1:${port}/postgres`, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
