// Spots an appservice transaction the homeserver made but left behind, from a gap in the transaction ids, and
// decides which transaction to refuse so that the homeserver sends the one left behind first. Pure: no I/O.
//
// What Synapse (1.160) does, and why a refusal is the only lever:
// - synapse/appservice/scheduler.py _TransactionController.send stores a transaction
//   (storage/databases/main/appservice.py create_appservice_txn) and only then sends it. When Synapse stops before
//   it has marked the appservice DOWN (killed during the request, or stopped before sending), the stored
//   transaction stays behind while the appservice stays UP.
// - ApplicationServiceScheduler.start starts a recoverer only for appservices marked DOWN, and while one is UP its
//   new transactions are sent at once; complete_appservice_txn deletes only the transaction sent, so the one left
//   behind is neither sent nor skipped: it waits for the next failed send (_on_txn_fail marks DOWN and starts a
//   _Recoverer, whose retry sends get_oldest_unsent_txn first, oldest id first).
// - Transaction ids come from one counter for all appservices, and a stored transaction keeps its id: on SQLite
//   the counter restarts after the largest stored id (LocalSequenceGenerator, get_max_as_txn_id), on PostgreSQL it
//   is a sequence. So one left behind shows as a gap in the ids the bridge receives: the next one skips it.
// Refusing the first transaction with room events after a gap makes Synapse mark the bridge DOWN and send, oldest
// first, the one left behind and then the refused one; nothing is lost (the refused one stays stored) and nothing
// doubles (the inbox dedupes by transaction and event id). On a homeserver serving other appservices, a gap may
// be theirs: the refusal then costs a resend, a moment marked down (Synapse drops receipts and typing for an
// appservice that is down) and an error line in Synapse's log. So gaps are acted on only after two consecutive
// ids (a homeserver whose ids are never consecutive, with busy neighbours, is left alone), and at most once per
// RECOVERY_INTERVAL_MS after a recovery that brought nothing back: a transaction really left behind then waits
// that long at worst, instead of until the bridge next fails, and neighbours' gaps cost at most one resend per
// interval. A recovery that did bring one back sets no interval: Synapse may leave another behind as it ends.
// - Synapse also leaves one behind without stopping: at the end of a recovery, a transaction made while the
//   appservice was still DOWN (_TransactionController.send read the state, then create_appservice_txn) after the
//   recoverer's last get_oldest_unsent_txn stays stored once _Recoverer.retry's callback marks it UP. A recovery
//   follows every failed send, so every bridge restart that Synapse noticed; the gap then shows between the
//   transactions of two processes as often as within one. The watch therefore goes on from the newest id an
//   earlier process received (resume, from the inbox, which keeps every transaction's id).

/** How long the ids above the refused one are refused while waiting for the homeserver to send it again. */
export const RECOVERY_WAIT_MS = 60_000;
/** The least time between two recoveries (see the header: a gap may be another appservice's). */
export const RECOVERY_INTERVAL_MS = 10 * 60_000;

/** "recover": refuse it, and it is the first refused of a recovery (the moment to ask the homeserver to hurry). */
export type Admission = "accept" | "refuse" | "recover";

export class StrandedTransactionWatch {
  private last: number | null = null;
  /** Whether `last` came right after the id before it. */
  private stepping = false;
  /** A gap was seen in a transaction without room events: the next one with room events is refused. */
  private armed = false;
  /** `broughtBack`: an id below the refused one came meanwhile (the recovery found one left behind). */
  private recovering: { refused: number; since: number; broughtBack: boolean } | null = null;
  private lastRecovery = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly now: () => number,
    private readonly waitMs = RECOVERY_WAIT_MS,
    private readonly intervalMs = RECOVERY_INTERVAL_MS,
  ) {}

  /**
   * Goes on from the transaction an earlier process received last, as if this one had received it: a gap between
   * it and this process's first transaction is a gap too. Ignored once a transaction was admitted. Never throws.
   */
  resume(newest: { txnId: string; afterPrevious: boolean } | null): void {
    if (!newest || this.last !== null || !/^\d{1,15}$/.test(newest.txnId)) return;
    this.last = Number(newest.txnId);
    this.stepping = newest.afterPrevious;
  }

  /**
   * Whether to record the transaction `txnId` or refuse it (answer with an error, so that the homeserver sends
   * it again later, after any it left behind). Ids that are not decimal integers are always accepted.
   */
  admit(txnId: string, hasRoomEvents: boolean): Admission {
    if (!/^\d{1,15}$/.test(txnId)) return "accept";
    const id = Number(txnId);
    if (this.recovering) return this.whileRecovering(id);
    if (this.last !== null && id < this.last) return this.older(id);
    const gap = this.last !== null && this.stepping && id > this.last + 1 && this.now() - this.lastRecovery >= this.intervalMs;
    if ((gap || this.armed) && hasRoomEvents) {
      this.armed = false;
      this.recovering = { refused: id, since: this.now(), broughtBack: false };
      this.lastRecovery = this.now();
      return "recover";
    }
    this.armed ||= gap;
    this.step(id);
    return "accept";
  }

  /**
   * The homeserver now sends what it stored, oldest first: older ids are those left behind; the refused id ends
   * the recovery. A newer id is one sent before the homeserver took the refusal in, refused too (it stays stored
   * and comes after), unless the refused one has not come back for `waitMs`. A recovery that brought one back
   * was no neighbour's gap: the next gap is acted on at once (the end of this recovery may strand another).
   */
  private whileRecovering(id: number): Admission {
    const recovering = this.recovering!;
    const { refused, since } = recovering;
    if (id < refused) {
      recovering.broughtBack = true;
      return "accept";
    }
    if (id > refused && this.now() - since < this.waitMs) return "refuse";
    if (recovering.broughtBack && id === refused) this.lastRecovery = Number.NEGATIVE_INFINITY;
    this.recovering = null;
    this.last = id;
    this.stepping = id === refused;
    return "accept";
  }

  /**
   * An id below the last one: the one left behind arriving, a transaction sent again (by an operator, or a test),
   * or Synapse on SQLite counting again from 1 after a restart with nothing stored (get_max_as_txn_id). None is a
   * newer transaction after a gap, so none is refused, and a gap seen before is no longer evidence of anything.
   * Only a count starting again moves `last` back: ids after a late or replayed one are compared with the newest.
   */
  private older(id: number): Admission {
    this.armed = false;
    if (id === 1) this.step(id);
    return "accept";
  }

  private step(id: number): void {
    if (id === this.last) return; // the same transaction again
    this.stepping = this.last !== null && id === this.last + 1;
    this.last = id;
  }
}
