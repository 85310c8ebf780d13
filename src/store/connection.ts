// Turns a database URL into a configured knex instance. SQLite gets WAL (readers never block the writer), the
// configured synchronous level (FULL unless the operator trades it away), a busy timeout (a second process waits
// for the lock instead of failing), enforced foreign keys and secure_delete.
import path from "node:path";
import knex, { type Knex } from "knex";
import { getLogger } from "../util/log";
import { preparePrivateDatabase } from "./file-modes";

export type DatabaseTarget =
  | { engine: "sqlite"; filename: string }
  | { engine: "postgres"; connectionString: string };

export interface ConnectionOptions {
  /**
   * SQLite's `PRAGMA synchronous` (default full): full syncs the WAL to disk at every commit, so a commit
   * survives a power cut; normal syncs only at checkpoints, so a commit survives a killed process but a power cut
   * may take back the last ones. Ignored on PostgreSQL, whose server setting (synchronous_commit) decides.
   */
  synchronous?: "full" | "normal";
}

const log = getLogger("store.db");
const SQLITE_BUSY_TIMEOUT_MS = 10_000;
// knex prints to the console by default; its messages belong in our log like everything else (first line only:
// some carry a driver stack trace).
const firstLine = (message: unknown) => String(message).split("\n", 1)[0];
const knexLog = {
  warn: (message: unknown) => log.warn("knex", { detail: firstLine(message) }),
  error: (message: unknown) => log.error("knex", { detail: firstLine(message) }),
  deprecate: (method: unknown, alternative: unknown) =>
    log.warn("knex deprecation", { detail: `${String(method)} -> ${String(alternative)}` }),
  debug: (message: unknown) => log.debug("knex", { detail: typeof message === "string" ? message : "query" }),
};
const MEMORY = ":memory:";
// compileSqlOnError: false (both engines below) keeps a failed query's values out of its error's message, which
// knex otherwise writes into the statement it quotes there: an inbox event's JSON (a pasted token), a sealed
// token, what someone wrote. The message, logged as it is, then shows only the statement's placeholders.

/**
 * Accepts `sqlite:relative/or/absolute.db`, `sqlite:///absolute.db`, `sqlite::memory:`, a plain path,
 * `postgres://...` and `postgresql://...`. Throws on anything else, naming the accepted forms.
 */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  const trimmed = url.trim();
  if (trimmed === "") throw new Error("Database URL is empty");
  if (/^postgres(ql)?:\/\//i.test(trimmed)) return { engine: "postgres", connectionString: trimmed };
  if (/^sqlite:/i.test(trimmed)) {
    let rest = trimmed.slice("sqlite:".length);
    if (rest.startsWith("//")) rest = rest.slice(2);
    if (rest === "") throw new Error(`Database URL "${url}" names no SQLite file`);
    return { engine: "sqlite", filename: rest === MEMORY ? MEMORY : path.resolve(rest) };
  }
  // A scheme we do not know is a typo, not a file name: refuse rather than create a file called "mysql:...".
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    throw new Error(
      `Unsupported database URL scheme in "${redactUrl(trimmed)}": use sqlite:<path>, sqlite::memory:, ` +
        "a plain file path, postgres:// or postgresql://",
    );
  }
  return { engine: "sqlite", filename: trimmed === MEMORY ? MEMORY : path.resolve(trimmed) };
}

/** A URL fit for logs: the password, if any, is masked. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, "$1:***@");
}

/**
 * Opens (but does not query) the database. Creates a missing SQLite file 0600 in a 0700 folder (see file-modes.ts);
 * may throw on a bad path.
 */
export function openKnex(target: DatabaseTarget, options: ConnectionOptions = {}): Knex {
  if (target.engine === "postgres") {
    return knex({ client: "pg", connection: { connectionString: target.connectionString }, log: knexLog, compileSqlOnError: false });
  }
  if (target.filename !== MEMORY) preparePrivateDatabase(target.filename);
  return knex({
    client: "sqlite3",
    connection: { filename: target.filename },
    useNullAsDefault: true,
    log: knexLog,
    compileSqlOnError: false,
    // One connection: SQLite has a single writer anyway, and a :memory: database lives in its connection.
    pool: { min: 1, max: 1, afterCreate: sqliteAfterCreate(options.synchronous ?? "full") },
  });
}

interface SqliteConnection {
  exec(sql: string, callback: (err: Error | null) => void): void;
}

type AfterCreate = (conn: SqliteConnection, done: (err: Error | null, conn: SqliteConnection) => void) => void;

function sqliteAfterCreate(synchronous: "full" | "normal"): AfterCreate {
  // In WAL mode FULL syncs the WAL at each commit, so nothing is answered or sent on the strength of a commit a
  // power cut could take back. The whole connection, not just the inbox's commit: the send intent recorded before
  // a Gitter post is what stops a post being made twice, and it needs the same. NORMAL syncs only at checkpoints.
  // secure_delete zeroes the bytes of deleted and overwritten rows (and freed pages) instead of leaving them in
  // the file: a handled inbox event's content, which may be a pasted token, is overwritten (inbox.ts).
  const pragmas =
    `PRAGMA journal_mode=WAL; PRAGMA synchronous=${synchronous.toUpperCase()}; ` +
    `PRAGMA busy_timeout=${SQLITE_BUSY_TIMEOUT_MS}; PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON;`;
  return (conn, done) => conn.exec(pragmas, (err) => done(err, conn));
}
