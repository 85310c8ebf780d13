import type { Knex } from "knex";
import { toNumber } from "./rows";
import type { InboxEvent, InboxStore } from "./store";

interface EventRow {
  seq: number | string;
  txn_id: string;
  event_json: string;
}

export class KnexInboxStore implements InboxStore {
  constructor(private readonly db: Knex) {}

  async acceptTransaction(txnId: string, events: Record<string, unknown>[], now: number): Promise<boolean> {
    return this.db.transaction(async (trx) => {
      // The txn id insert comes first: on a replay it is a no-op that tells us to stop, and when two processes
      // race, the second one waits on the key until the first commits and then sees the row.
      const claimed = await trx("inbox_transactions")
        .insert({ txn_id: txnId, received_at: now })
        .onConflict("txn_id")
        .ignore()
        .returning("txn_id");
      if (claimed.length === 0) return false;
      for (const event of events) {
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
      return true;
    });
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
  async markProcessed(seq: number): Promise<void> {
    await this.db("inbox_events").where({ seq, processed: false }).update({ processed: true, processed_at: Date.now() });
  }

  async countPending(): Promise<number> {
    const row = await this.db("inbox_events").where({ processed: false }).count({ n: "*" }).first();
    return toNumber(row?.n ?? 0);
  }
}
