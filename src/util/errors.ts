// The common base of the bridge's failures: whose side failed (the chat network, the homeserver, the bridge
// itself) and whether trying again later may help. The command replies and the logs decide on these two fields,
// never on which client threw. Each family keeps its own class and fields (GitterApiError, MatrixApiError, ...).

/** `remote` is the chat network the bridge puppets (Gitter); `homeserver` the Matrix side; `bridge` its own parts. */
export type FaultSide = "remote" | "homeserver" | "bridge";

export interface Fault {
  side: FaultSide;
  /** Who that is, for a person: "Gitter", "the homeserver", "the bridge". */
  party: string;
  /** The same request may work later: nothing answered, a 5xx, a rate limit, a busy database. */
  transient: boolean;
  /** The HTTP status that was answered, when one was. Never a body. */
  status?: number;
  /** A sentence written for the person, safe to show as is, when the error carries one. */
  userMessage?: string;
}

export abstract class BridgeError extends Error {
  abstract readonly side: FaultSide;
  abstract readonly party: string;

  /** False unless a subclass knows better: a refusal is said once rather than retried. */
  get transient(): boolean {
    return false;
  }

  /**
   * True when the work that met this failure is worth doing again after a wait (src/puppet/retry.ts): a transient
   * failure of one request. False for failures something else already retries or that must not be repeated as
   * they are (a realtime connection reconnects by itself; a login's code works once).
   */
  get worthWaitingOut(): boolean {
    return this.transient;
  }

  /** The HTTP status answered, or undefined when no answer came (or the failure was not HTTP). */
  get answerStatus(): number | undefined {
    return undefined;
  }

  /** Safe to show to a person as is; undefined when what to say is up to the caller. */
  get personMessage(): string | undefined {
    return undefined;
  }
}

/** Database failures that pass: a busy SQLite file, a PostgreSQL restart, a pool that could not connect in time. */
const TRANSIENT_DB_CODES = new Set([
  "SQLITE_BUSY",
  "SQLITE_LOCKED",
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "57P01", // admin_shutdown
  "57P03", // cannot_connect_now
  "08000", // connection_exception
  "08001",
  "08003",
  "08006",
]);

/** True for a database error that passes (busy, restarting, pool timeout). Never throws. */
export function isTransientDatabaseError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === "KnexTimeoutError") return true;
  const code = (err as Error & { code?: unknown }).code;
  return typeof code === "string" && TRANSIENT_DB_CODES.has(code);
}

/** What any thrown value says about whose fault it is; anything not a BridgeError is the bridge's own. Never throws. */
export function faultOf(err: unknown): Fault {
  if (err instanceof BridgeError) {
    const fault: Fault = { side: err.side, party: err.party, transient: err.transient };
    if (err.answerStatus !== undefined) fault.status = err.answerStatus;
    if (err.personMessage !== undefined) fault.userMessage = err.personMessage;
    return fault;
  }
  return { side: "bridge", party: "the bridge", transient: isTransientDatabaseError(err) };
}
