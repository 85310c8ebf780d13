// Keeps the transaction inbox from growing without end: once an hour, transactions older than the retention
// whose events are all handled are forgotten. Their ids only matter while the homeserver might still send them
// again, which is minutes or hours after a failure, never a week. Each round also forgets the content of handled
// events that still have it: those a version of the bridge that kept it had handled (a pasted token among them).
import type { InboxStore } from "../store/store";
import { getLogger } from "../util/log";

const log = getLogger("inbox");

export const INBOX_RETENTION_MS = 7 * 24 * 3600 * 1000;
const EVERY_MS = 3600 * 1000;

export interface InboxPruning {
  /** Runs one pruning now; never rejects (a failure is logged and the next round tries again). */
  pruneNow(): Promise<void>;
  stop(): void;
}

/** Prunes `inbox` now and every hour until stopped. */
export function startInboxPruning(inbox: InboxStore, now: () => number = Date.now): InboxPruning {
  const pruneNow = async () => {
    try {
      const removed = await inbox.pruneProcessed(now() - INBOX_RETENTION_MS);
      if (removed > 0) log.info("forgot old handled transactions", { transactions: removed });
      const forgotten = await inbox.forgetHandledContent();
      if (forgotten > 0) log.info("forgot the content of handled events an earlier version kept", { events: forgotten });
    } catch (err) {
      log.warn("could not prune the inbox; will try again", { error: err as Error });
    }
  };
  void pruneNow();
  const timer = setInterval(() => void pruneNow(), EVERY_MS);
  timer.unref();
  return { pruneNow, stop: () => clearInterval(timer) };
}
