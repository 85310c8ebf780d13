// The store's interface for the homeserver's transactions (see ./store): received, persisted and deduplicated before
// they are handled, each event's content forgotten once it is.
export interface InboxEvent {
  seq: number;
  txnId: string;
  event: Record<string, unknown>;
}

export interface NewestTransaction {
  txnId: string;
  /** The id is a decimal number and the one before it (id - 1) was received too. */
  afterPrevious: boolean;
}

export interface MarkOptions {
  /** The event carried a secret: its forgotten bytes are pushed out of the database's files at once. */
  wipe?: boolean;
}

export interface InboxStore {
  /**
   * Records a homeserver transaction and its events atomically; returns whether anything new was recorded.
   * Events whose event_id is already in the inbox are skipped. A txnId seen before is a replay (false, only its time
   * of receipt updated) unless it carries room events never seen: homeservers may reuse ids after a restart (Synapse on
   * SQLite does), so those events and the transaction's ephemeral events are recorded (true).
   */
  acceptTransaction(txnId: string, events: Record<string, unknown>[], now: number): Promise<boolean>;
  /**
   * The transaction received last (the latest `now` given to acceptTransaction, a replay's included), and whether
   * the id just below its own was received too (decimal ids only); null when none is kept (see pruneProcessed).
   */
  newestTransaction(): Promise<NewestTransaction | null>;
  /** The oldest unprocessed events, in arrival order. */
  pendingEvents(limit: number): Promise<InboxEvent[]>;
  /**
   * Marks a handled event: it leaves the pending list for good and its content is forgotten, only its ids kept (for
   * replays and pruning), so nothing a person sent outlives its handling in the database. `wipe`, for an event that
   * carried a secret, also pushes the forgotten bytes out of the engine's files where the engine allows it (SQLite:
   * the write-ahead log is checkpointed and truncated; PostgreSQL keeps the old row version until VACUUM, see
   * README "Security"). Unknown or already processed seqs change nothing.
   */
  markProcessed(seq: number, options?: MarkOptions): Promise<void>;
  countPending(): Promise<number>;
  /**
   * Forgets the content of handled events that still have it, as markProcessed does, wiping as for a secret when
   * there were any (events handled by a version of the bridge that kept it); returns how many.
   */
  forgetHandledContent(): Promise<number>;
  /**
   * Forgets transactions received before `before` whose events are all processed, with those events; returns how
   * many transactions went. A homeserver replaying one of them after that would have it handled again, so keep
   * `before` well behind any homeserver's retries (days, not minutes).
   */
  pruneProcessed(before: number): Promise<number>;
}
