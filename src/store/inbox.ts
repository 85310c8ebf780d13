import type { Knex } from "knex";
import { getLogger } from "../util/log";
import { toNumber } from "./rows";
import type { InboxEvent, InboxStore, MarkOptions, NewestTransaction } from "./store";

/**
 * What a handled event's JSON becomes. Once handled, an event is read again by no one (pending lists read pending
 * events only; replays are recognised by the event_id and txn_id columns), and its content may be what a person
 * wrote in a private room, or a token pasted for `login token`: it has no reason to stay in the database.
 */
export const FORGOTTEN_EVENT_JSON = "{}";

const log = getLogger("store.inbox");

interface EventRow {
  seq: number | string;
  txn_id: string;
  event_json: string;
}

export class KnexInboxStore implements InboxStore {
  constructor(private readonly db: Knex) {}

  async acceptTransaction(txnId: string, events: Record<string, unknown>[], now: number): Promise<boolean> {
    return this.db.transaction(async (trx) => {
      // The txn id insert comes first: when two processes race, the second one waits on the key until the first
      // commits and then sees the row.
      const claimed = await trx("inbox_transactions")
        .insert({ txn_id: txnId, received_at: now })
        .onConflict("txn_id")
        .ignore()
        .returning("txn_id");
      const fresh = claimed.length > 0;
      // A known id received again is the newest transaction now (newestTransaction), whatever it carries.
      if (!fresh) await trx("inbox_transactions").where({ txn_id: txnId }).update({ received_at: now });
      // A known id is a replay, unless it brings room events never seen: Synapse on SQLite starts its transaction
      // ids at 1 again after a restart, so a known id may carry new events. Those are kept, with its ephemera.
      const withIds = events.filter((e) => typeof e.event_id === "string");
      const seen = fresh ? new Set<string>() : await this.knownEventIds(trx, withIds.map((e) => e.event_id as string));
      const kept = fresh ? events : events.filter((e) => typeof e.event_id !== "string" || !seen.has(e.event_id));
      if (!fresh && !kept.some((e) => typeof e.event_id === "string")) return false;
      for (const event of kept) await this.insertEvent(trx, txnId, event, now);
      return true;
    });
  }

  private async knownEventIds(trx: Knex.Transaction, ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows: Array<{ event_id: string }> = await trx("inbox_events").select("event_id").whereIn("event_id", ids);
    return new Set(rows.map((r) => r.event_id));
  }

  private async insertEvent(trx: Knex.Transaction, txnId: string, event: Record<string, unknown>, now: number): Promise<void> {
    await trx("inbox_events")
      .insert({
        txn_id: txnId,
        event_id: typeof event.event_id === "string" ? event.event_id : null,
        event_json: JSON.stringify(event),
        received_at: now,
        processed: false,
      })
      .onConflict("event_id")
      .ignore();
  }

  async newestTransaction(): Promise<NewestTransaction | null> {
    const latest = this.db("inbox_transactions").max("received_at");
    const rows: Array<{ txn_id: string }> = await this.db("inbox_transactions").select("txn_id").where("received_at", latest);
    if (rows.length === 0) return null;
    // Two received within the same millisecond: the larger id is the later one.
    const txnId = rows.map((r) => r.txn_id).sort(byDecimalValue).at(-1)!;
    if (!/^\d{1,15}$/.test(txnId) || txnId === "0") return { txnId, afterPrevious: false };
    const previous = await this.db("inbox_transactions").where({ txn_id: String(Number(txnId) - 1) }).first("txn_id");
    return { txnId, afterPrevious: previous !== undefined };
  }

  async pendingEvents(limit: number): Promise<InboxEvent[]> {
    const rows: EventRow[] = await this.db("inbox_events")
      .select("seq", "txn_id", "event_json")
      .where({ processed: false })
      .orderBy("seq")
      .limit(limit);
    return rows.map((row) => ({
      seq: toNumber(row.seq),
      txnId: row.txn_id,
      event: JSON.parse(row.event_json) as Record<string, unknown>,
    }));
  }

  /** Marking an already processed event again changes nothing (the first time is kept). */
  async markProcessed(seq: number, options: MarkOptions = {}): Promise<void> {
    await this.db("inbox_events")
      .where({ seq, processed: false })
      .update({ processed: true, processed_at: Date.now(), event_json: FORGOTTEN_EVENT_JSON });
    if (options.wipe && this.db.client.config.client === "sqlite3") await this.truncateLog();
  }

  async forgetHandledContent(): Promise<number> {
    const changed = await this.db("inbox_events")
      .where({ processed: true })
      .whereNot({ event_json: FORGOTTEN_EVENT_JSON })
      .update({ event_json: FORGOTTEN_EVENT_JSON });
    if (changed > 0 && this.db.client.config.client === "sqlite3") await this.truncateLog();
    return changed;
  }

  /**
   * Writes SQLite's write-ahead log into the database file and empties it. The log keeps the page the event was
   * inserted into, content and all, until it is reused, which may take long on a quiet bridge; in the database file
   * the row's old bytes are zeroed as the page is rewritten (`secure_delete`, connection.ts). A checkpoint that
   * cannot finish (another process reading) is tried again at the next wipe; it is not an error.
   */
  private async truncateLog(): Promise<void> {
    const result: unknown = await this.db.raw("PRAGMA wal_checkpoint(TRUNCATE)");
    const [row] = Array.isArray(result) ? (result as Array<{ busy?: number }>) : [];
    if (row?.busy) log.info("the write-ahead log is in use elsewhere; it keeps forgotten bytes until the next wipe");
  }

  async pruneProcessed(before: number): Promise<number> {
    // The events go with their transaction (ON DELETE CASCADE).
    return this.db("inbox_transactions")
      .where("received_at", "<", before)
      .whereNotExists((q) => q.select(this.db.raw("1")).from("inbox_events as e").whereRaw("e.txn_id = inbox_transactions.txn_id").andWhere("e.processed", false))
      .delete();
  }

  async countPending(): Promise<number> {
    const row = await this.db("inbox_events").where({ processed: false }).count({ n: "*" }).first();
    return toNumber(row?.n ?? 0);
  }
}

/** Decimal ids by their value, before any other id. */
function byDecimalValue(a: string, b: string): number {
  const x = /^\d+$/.test(a) ? Number(a) : -1;
  const y = /^\d+$/.test(b) ? Number(b) : -1;
  return x - y || a.localeCompare(b);
}
