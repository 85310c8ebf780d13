// The one error class the core sees from any network, built on the common base (src/util/errors.ts): the core
// decides on `kind` alone, never on which client threw or on the wording of a server's answer. Each adapter turns
// its client's errors into these (and keeps the original as `cause`, for the log).
import { BridgeError } from "../util/errors";

export type NetworkErrorKind =
  /** The login is gone (revoked, expired, account deactivated): log in again; retrying will not help. */
  | "token-invalid"
  /** No such room, user, message or file, or one the user may not see. */
  | "not-found"
  /** The network says the user may not do that. */
  | "forbidden"
  /** The network refused this request as it is (too long, malformed, past an edit window...). */
  | "rejected"
  /** The network was down, overloaded or limiting us, or never answered: the same request may work later. */
  | "unavailable"
  /**
   * A send that is not safe to repeat failed after it may have reached the network. Before sending again, look
   * for it with `findOwnMessage` (or repeat it with the same key where `capabilities.keyedSendWindowMs` allows).
   */
  | "maybe-delivered"
  /** The network answered with something the adapter could not use. */
  | "bad-response"
  /** This network has no such feature (see the connector's capabilities). */
  | "unsupported";

const TRANSIENT: ReadonlySet<NetworkErrorKind> = new Set(["unavailable", "maybe-delivered"]);

export class NetworkError extends BridgeError {
  readonly side = "remote" as const;

  constructor(
    readonly kind: NetworkErrorKind,
    /** The network's name for a person, e.g. "Gitter". */
    readonly party: string,
    /** For the log: what was asked and what came back. Never a token. */
    logMessage: string,
    private readonly details: { userMessage?: string; status?: number; cause?: unknown } = {},
  ) {
    super(logMessage, { cause: details.cause });
    this.name = "NetworkError";
  }

  override get transient(): boolean {
    return TRANSIENT.has(this.kind);
  }

  override get answerStatus(): number | undefined {
    return this.details.status;
  }

  override get personMessage(): string {
    return this.details.userMessage ?? defaultMessage(this.kind, this.party);
  }
}

/** True when `err` is a NetworkError of that kind. Never throws. */
export function isNetworkError(err: unknown, kind?: NetworkErrorKind): err is NetworkError {
  return err instanceof NetworkError && (kind === undefined || err.kind === kind);
}

function defaultMessage(kind: NetworkErrorKind, party: string): string {
  switch (kind) {
    case "token-invalid":
      return `Your ${party} login is no longer valid. Please log in to ${party} again.`;
    case "not-found":
      return `${party} could not find that room, user or message.`;
    case "forbidden":
      return `${party} says you are not allowed to do that.`;
    case "rejected":
      return `${party} rejected the request.`;
    case "unavailable":
      return `${party} is having trouble right now. Please try again later.`;
    case "maybe-delivered":
      return `${party} did not confirm the message; it may or may not have been posted.`;
    case "bad-response":
      return `${party} sent an answer the bridge could not understand.`;
    case "unsupported":
      return `${party} does not offer that.`;
  }
}

/** The kind an HTTP status from a network's API means, for a request that got an answer. */
export function kindOfStatus(status: number): NetworkErrorKind {
  if (status === 401) return "token-invalid";
  if (status === 403) return "forbidden";
  if (status === 404) return "not-found";
  if (status === 429 || status >= 500) return "unavailable";
  return "rejected";
}
