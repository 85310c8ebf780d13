// Errors raised by the Gitter clients. Each carries two messages: `message` (= logMessage) for the log,
// with method, path and status; and `userMessage`, short and safe to show to the person in a Matrix room.
// Neither ever contains a token: callers pass texts through `redactSecret` before building an error.
// The bridge decides on statuses and fields only, never on the wording of `error`: Gitter's bodies carry only the
// reason phrase of the status (`{"error":"Bad Request"}`; a 5xx adds a `uniqueId`).
import { STATUS_CODES } from "node:http";
import { apiFailure, badResponseDetails, maybeDeliveredMessage, redactSecret, unansweredMessage, type ApiErrorDetails } from "../util/api-errors";
import { BridgeError } from "../util/errors";

export { redactSecret, type ApiErrorDetails };

export abstract class GitterError extends BridgeError {
  readonly side = "remote" as const;
  readonly party = "Gitter";
  /** Safe to show to the person: no token, no stack, no body dump. */
  readonly userMessage: string;

  constructor(logMessage: string, userMessage: string, options?: { cause?: unknown }) {
    super(logMessage, options);
    this.name = new.target.name;
    this.userMessage = userMessage;
  }

  get logMessage(): string {
    return this.message;
  }

  override get personMessage(): string {
    return this.userMessage;
  }
}

/** Gitter answered with a status outside 2xx (after any retries). */
export class GitterApiError extends GitterError {
  readonly status: number;
  readonly method: string;
  readonly path: string;
  readonly bodyText: string;
  /** The `error` field of a `{"error": "..."}` body, when there is one. */
  readonly serverMessage: string | undefined;

  constructor(details: ApiErrorDetails, userMessage?: string) {
    const { bodyText, logMessage } = apiFailure("Gitter", details);
    const serverMessage = parseServerMessage(bodyText);
    super(logMessage, userMessage ?? userMessageForStatus(details.status, serverMessage));
    this.status = details.status;
    this.method = details.method;
    this.path = details.path;
    this.bodyText = bodyText;
    this.serverMessage = serverMessage;
  }

  /** Gitter was down or overloaded (5xx) or limiting us (429); any other status is its answer to this request. */
  override get transient(): boolean {
    return this.status === 429 || this.status >= 500;
  }

  override get answerStatus(): number {
    return this.status;
  }
}

/**
 * Gitter answered 2xx, but with a body the bridge cannot use: not JSON, or not the shape the call returns
 * (see ./validate). Retrying would most likely get the same answer, so it is not retried.
 */
export class GitterBadResponseError extends GitterApiError {
  /** What was wrong, e.g. "[3].fromUser.username must be a non-empty string". */
  readonly problem: string;

  constructor(details: ApiErrorDetails, problem: string) {
    super(badResponseDetails(details, problem), "Gitter sent an answer the bridge could not understand.");
    this.problem = problem;
  }
}

/** 401: the token was revoked, its client was revoked, or the user was disabled. Retrying will not help. */
export class GitterTokenInvalidError extends GitterApiError {
  constructor(details: ApiErrorDetails) {
    super(details, "Your Gitter login is no longer valid. Please log in to Gitter again.");
  }
}

/** 404: unknown room, user or message, or a room you may not see (Gitter answers 404 to banned users too). */
export class GitterNotFoundError extends GitterApiError {}

/** The request never got an HTTP answer (connection refused or reset, DNS failure, timeout). */
export class GitterNetworkError extends GitterError {
  readonly method: string;
  readonly path: string;

  constructor(method: string, path: string, cause: unknown) {
    super(unansweredMessage("Gitter", method, path, cause), "Could not reach Gitter. Please try again later.", {
      cause,
    });
    this.method = method;
    this.path = path;
  }

  override get transient(): boolean {
    return true;
  }
}

/**
 * A non-repeatable request (posting a message) failed after it may have reached Gitter: a 5xx answer,
 * a reset connection or a timeout. It was not retried because a retry could post twice.
 * The caller should look at recent history before deciding to send again.
 */
export class GitterMaybeDeliveredError extends GitterError {
  readonly maybeDelivered = true as const;
  /** The underlying failure: a GitterApiError (5xx) or a GitterNetworkError. */
  override readonly cause: GitterApiError | GitterNetworkError;

  constructor(cause: GitterApiError | GitterNetworkError) {
    super(
      maybeDeliveredMessage(cause),
      "Gitter did not confirm the message; it may or may not have been posted.",
      { cause },
    );
    this.cause = cause;
  }

  override get transient(): boolean {
    return true;
  }

  override get answerStatus(): number | undefined {
    return this.cause.answerStatus;
  }
}

/** True when `err` is a GitterApiError with the given status (404, 403, ...). Never throws. */
export function isGitterStatus(err: unknown, status: number): err is GitterApiError {
  return err instanceof GitterApiError && err.status === status;
}

/** The person-facing text for any error; a generic sentence for errors that are not ours. */
export function userMessageOf(err: unknown): string {
  return err instanceof GitterError ? err.userMessage : "Something went wrong while talking to Gitter.";
}

function parseServerMessage(bodyText: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(bodyText);
    if (parsed && typeof parsed === "object" && "error" in parsed) {
      const e = (parsed as { error: unknown }).error;
      return typeof e === "string" ? e : undefined;
    }
  } catch {
    // Not JSON (an HTML error page, an empty body): there is no server message to show.
  }
  return undefined;
}

function userMessageForStatus(status: number, serverMessage: string | undefined): string {
  // The reason phrase alone tells the person nothing the sentence does not say already.
  const says = serverMessage !== undefined && serverMessage !== STATUS_CODES[status] && serverMessage.length <= 120;
  const detail = says ? `: ${serverMessage}` : ".";
  if (status === 400) return `Gitter rejected the request${detail}`;
  if (status === 401) return "Your Gitter login is no longer valid. Please log in to Gitter again.";
  if (status === 403) return `Gitter says you are not allowed to do that${detail}`;
  if (status === 404) return "Gitter could not find that room, user or message.";
  if (status === 429) return "Gitter is limiting how fast we may send requests. Please try again in a minute.";
  if (status >= 500) return "Gitter is having trouble right now. Please try again later.";
  return `Gitter answered with an unexpected error (${status})${detail === "." ? "." : detail}`;
}
