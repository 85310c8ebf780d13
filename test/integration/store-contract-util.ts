// Helpers shared by the Store contract sections.
import type { Store } from "../../src/store/store";

export interface ContractContext {
  /** The currently open store (replaced by the restart test). */
  store(): Store;
  /** Opens another handle on the same database, like a second process would; the caller closes it. */
  open(): Promise<Store>;
  /** Every row of `table` as stored, read past the Store (for what the interface does not show). */
  rawRows(table: string): Promise<Record<string, unknown>[]>;
}

let counter = 0;
/** A per-call unique suffix, so ids made by different tests (and runs) never collide. */
export function uniq(): string {
  counter += 1;
  return `${Date.now().toString(36)}${counter}${Math.random().toString(36).slice(2, 6)}`;
}

/** A 24-hex ObjectId whose first 8 digits are `seconds`, like Gitter's. */
export function objectId(seconds: number, tail = 0): string {
  return seconds.toString(16).padStart(8, "0") + tail.toString(16).padStart(16, "0");
}

/** Marks everything pending as processed, so an inbox test sees only its own events. */
export async function drainInbox(store: Store): Promise<void> {
  for (;;) {
    const batch = await store.inbox.pendingEvents(100);
    if (batch.length === 0) return;
    for (const event of batch) await store.inbox.markProcessed(event.seq);
  }
}
