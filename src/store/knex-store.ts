// The knex implementation of Store, for SQLite and PostgreSQL. openStore migrates before it returns, so a
// caller that holds a Store always talks to an up-to-date schema.
import type { Knex } from "knex";
import { MIGRATIONS, type Migration } from "../../migrations";
import { getLogger } from "../util/log";
import { openKnex, parseDatabaseUrl, redactUrl, type ConnectionOptions } from "./connection";
import { KnexGhostStore } from "./ghosts";
import { KnexInboxStore } from "./inbox";
import { KnexMediaStore } from "./media";
import { KnexMessageStore } from "./messages";
import { migrationStatus, runMigrations, type MigrationStatus } from "./migrate";
import { KnexOAuthStateStore } from "./oauth-states";
import { KnexPendingLoginStore } from "./pending-logins";
import { KnexPendingSendStore } from "./pending-sends";
import { KnexPortalStore } from "./portals";
import { KnexReactionStore } from "./reactions";
import { KnexRoomRefusalStore } from "./refusals";
import type { Store } from "./store";
import { KnexUserStore } from "./users";

const log = getLogger("store");

class KnexStore implements Store {
  readonly users: KnexUserStore;
  readonly oauthStates: KnexOAuthStateStore;
  readonly pendingLogins: KnexPendingLoginStore;
  readonly portals: KnexPortalStore;
  readonly ghosts: KnexGhostStore;
  readonly messages: KnexMessageStore;
  readonly media: KnexMediaStore;
  readonly pendingSends: KnexPendingSendStore;
  readonly inbox: KnexInboxStore;
  readonly refusals: KnexRoomRefusalStore;
  readonly reactions: KnexReactionStore;
  private closed = false;

  constructor(
    private readonly db: Knex,
    private readonly migrations: readonly Migration[],
  ) {
    this.users = new KnexUserStore(db);
    this.oauthStates = new KnexOAuthStateStore(db);
    this.pendingLogins = new KnexPendingLoginStore(db);
    this.portals = new KnexPortalStore(db);
    this.ghosts = new KnexGhostStore(db);
    this.messages = new KnexMessageStore(db);
    this.media = new KnexMediaStore(db);
    this.pendingSends = new KnexPendingSendStore(db);
    this.inbox = new KnexInboxStore(db);
    this.refusals = new KnexRoomRefusalStore(db);
    this.reactions = new KnexReactionStore(db);
  }

  migrationStatus(): Promise<MigrationStatus> {
    return migrationStatus(this.db, this.migrations);
  }

  /** Waits for running queries, then releases the connections. Calling it twice is harmless. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.db.destroy();
  }
}

/**
 * Opens the database named by `databaseUrl` (see parseDatabaseUrl for the accepted forms) and applies every
 * pending migration before resolving. Rejects, with the connection closed, when the URL is not understood,
 * the database is unreachable, or a migration fails (the message names the step). `migrations` defaults to
 * the project's schema history; `options.synchronous` is SQLite's durability (full unless told otherwise).
 */
export async function openStore(
  databaseUrl: string,
  migrations: readonly Migration[] = MIGRATIONS,
  options: ConnectionOptions = {},
): Promise<Store> {
  const target = parseDatabaseUrl(databaseUrl);
  const where = target.engine === "sqlite" ? target.filename : redactUrl(target.connectionString);
  const synchronous = target.engine === "sqlite" ? (options.synchronous ?? "full") : undefined;
  log.info("opening database", { engine: target.engine, database: where, synchronous });
  const db = openKnex(target, options);
  try {
    await runMigrations(db, migrations);
  } catch (err) {
    await db.destroy().catch(() => undefined);
    throw err;
  }
  return new KnexStore(db, migrations);
}

/**
 * Reads the migration state without applying anything (for `doctor` on a database the bridge has not opened
 * yet). Rejects when the URL is not understood or the database is unreachable; never creates tables, though
 * it does create an empty SQLite file (and its folder) if none exists.
 */
export async function readMigrationStatus(
  databaseUrl: string,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<MigrationStatus> {
  const db = openKnex(parseDatabaseUrl(databaseUrl));
  try {
    return await migrationStatus(db, migrations);
  } finally {
    await db.destroy();
  }
}
