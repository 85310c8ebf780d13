// Operator-side seeding of a bridge's database before it starts: Gitter logins (tokens encrypted with the
// bridge's own key file, exactly as a login stores them) and, for benchmarks, portals that already exist.
// It writes through the Store and TokenCipher the bridge itself uses; no bridge code path is bypassed at run time.
import path from "node:path";
import { openKnex, parseDatabaseUrl } from "../../src/store/connection";
import { loadOrCreateKey, TokenCipher } from "../../src/store/crypto";
import { openStore } from "../../src/store/knex-store";
import type { Portal, Store } from "../../src/store/store";

export interface SeedLogin {
  mxid: string;
  gitterUserId: string;
  gitterUsername: string;
  token: string;
}

/** The database URL and key file of a bridge living in `dir` (as written by writeBridgeFiles). */
export function bridgeDataPaths(dir: string, database?: string): { database: string; keyFile: string } {
  return { database: database ?? `sqlite:${path.join(dir, "data/bridge.db")}`, keyFile: path.join(dir, "data/bridge.key") };
}

/** Opens the bridge's store with its cipher; the caller closes the store. */
export async function openSeeder(dir: string, database?: string): Promise<{ store: Store; cipher: TokenCipher }> {
  const paths = bridgeDataPaths(dir, database);
  const store = await openStore(paths.database);
  const cipher = new TokenCipher(await loadOrCreateKey(paths.keyFile, { create: true }));
  return { store, cipher };
}

/** Stores the logins, `parallel` writes at a time. */
export async function seedLogins(seeder: { store: Store; cipher: TokenCipher }, logins: SeedLogin[], parallel = 64): Promise<void> {
  await inChunks(logins, parallel, (l) =>
    seeder.store.users.setLogin(l.mxid, {
      gitterUserId: l.gitterUserId,
      gitterUsername: l.gitterUsername,
      tokenCiphertext: seeder.cipher.encrypt(l.token),
    }),
  );
}

export async function seedPortals(store: Store, portals: Portal[], parallel = 64): Promise<void> {
  await inChunks(portals, parallel, (p) => store.portals.putPortal(p));
}

async function inChunks<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

/**
 * The same rows as seedLogins + seedPortals, written in one transaction straight into the bridge's tables:
 * for benchmarks that seed hundreds of thousands of portals (one commit each would take minutes). The bridge
 * must be stopped and its schema migrated (open the store once first).
 */
export async function bulkSeed(dir: string, logins: SeedLogin[], portals: Portal[], database?: string): Promise<void> {
  const paths = bridgeDataPaths(dir, database);
  const cipher = new TokenCipher(await loadOrCreateKey(paths.keyFile, { create: true }));
  const db = openKnex(parseDatabaseUrl(paths.database));
  try {
    await db.transaction(async (trx) => {
      const users = logins.map((l) => ({ mxid: l.mxid, gitter_user_id: l.gitterUserId, gitter_username: l.gitterUsername, token_ciphertext: cipher.encrypt(l.token) }));
      const rows = portals.map((p) => ({ mxid: p.mxid, gitter_room_id: p.gitterRoomId, matrix_room_id: p.matrixRoomId, one_to_one: p.oneToOne, last_gitter_message_id: p.lastGitterMessageId }));
      await trx.batchInsert("users", users, 100);
      await trx.batchInsert("portals", rows, 100);
    });
  } finally {
    await db.destroy();
  }
}
