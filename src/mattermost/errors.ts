// Errors raised by the Mattermost clients, on the common base (src/util/errors.ts) like the Gitter ones:
// `message` (= logMessage) for the log, with method, path and status; `userMessage`, short and safe to show to the
// person in a Matrix room. Neither ever contains a token: callers pass texts through `redactSecret` first.
// Mattermost's errors are AppErrors, `{id, message, detailed_error, request_id, status_code}`
// (mattermost/mattermost server/public/model/utils.go): decide on `status` and the stable `id`, never on the
// translated `message`. A 429 is not an AppError: its body is the plain text "limit exceeded"
// (server/channels/app/ratelimit.go).
import { apiFailure, badResponseDetails, maybeDeliveredMessage, redactSecret, unansweredMessage, type ApiErrorDetails } from "../util/api-errors";
import { BridgeError } from "../util/errors";

export { redactSecret, type ApiErrorDetails };

export abstract class MattermostError extends BridgeError {
  readonly side = "remote" as const;
  readonly party = "Mattermost";
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

/** Mattermost answered with a status outside 2xx (after any retries). */
export class MattermostApiError extends MattermostError {
  readonly status: number;
  readonly method: string;
  readonly path: string;
  readonly bodyText: string;
  /** The AppError's stable `id` (e.g. `api.context.session_expired.app_error`), when the body is one. */
  readonly errorId: string | undefined;
  /** The AppError's `message` (translated: for logs, not for decisions). */
  readonly serverMessage: string | undefined;

  constructor(details: ApiErrorDetails, userMessage?: string) {
    const { bodyText, logMessage } = apiFailure("Mattermost", details);
    const { id, message } = parseAppError(bodyText);
    super(logMessage, userMessage ?? userMessageForStatus(details.status, message));
    this.status = details.status;
    this.method = details.method;
    this.path = details.path;
    this.bodyText = bodyText;
    this.errorId = id;
    this.serverMessage = message;
  }

  /** Mattermost was down or overloaded (5xx) or limiting us (429); any other status is its answer to this request. */
  override get transient(): boolean {
    return this.status === 429 || this.status >= 500;
  }

  override get answerStatus(): number {
    return this.status;
  }
}

/** A 2xx answer the client cannot use: not JSON, or not the shape the call returns (see ./validate). Not retried. */
export class MattermostBadResponseError extends MattermostApiError {
  /** What was wrong, e.g. "[3].username must be a non-empty string". */
  readonly problem: string;

  constructor(details: ApiErrorDetails, problem: string) {
    super(badResponseDetails(details, problem), "Mattermost sent an answer the bridge could not understand.");
    this.problem = problem;
  }
}

/** 401: the token expired or was revoked, or the user was deactivated. Retrying will not help. */
export class MattermostTokenInvalidError extends MattermostApiError {
  constructor(details: ApiErrorDetails) {
    super(details, "Your Mattermost login is no longer valid. Please log in to Mattermost again.");
  }
}

/** 404: unknown (or invisible) channel, user, post or file. */
export class MattermostNotFoundError extends MattermostApiError {}

/** The request never got an HTTP answer (connection refused or reset, DNS failure, timeout). */
export class MattermostNetworkError extends MattermostError {
  readonly method: string;
  readonly path: string;

  constructor(method: string, path: string, cause: unknown) {
    super(unansweredMessage("Mattermost", method, path, cause), "Could not reach Mattermost. Please try again later.", { cause });
    this.method = method;
    this.path = path;
  }

  override get transient(): boolean {
    return true;
  }
}

/**
 * A create (a post without a usable pending_post_id, or whose retry window has passed) failed after it may have
 * reached Mattermost: a 5xx answer, a reset connection or a timeout. It was not retried because a retry could
 * post twice. The caller should look at the channel's recent posts before sending again.
 */
export class MattermostMaybeDeliveredError extends MattermostError {
  readonly maybeDelivered = true as const;
  override readonly cause: MattermostApiError | MattermostNetworkError;

  constructor(cause: MattermostApiError | MattermostNetworkError) {
    super(
      maybeDeliveredMessage(cause),
      "Mattermost did not confirm the message; it may or may not have been posted.",
      { cause },
    );
    this.cause = cause;
  }

  override get transient(): boolean {
    return true;
  }

  override get answerStatus(): number | undefined {
    return this.cause instanceof MattermostApiError ? this.cause.status : undefined;
  }
}

/** True when `err` is a MattermostApiError with the given status. Never throws. */
export function isMattermostStatus(err: unknown, status: number): err is MattermostApiError {
  return err instanceof MattermostApiError && err.status === status;
}

/** The person-facing text for any error; a generic sentence for errors that are not ours. */
export function userMessageOf(err: unknown): string {
  return err instanceof MattermostError ? err.userMessage : "Something went wrong while talking to Mattermost.";
}

/** The `id` and `message` of an AppError body; both undefined for anything else (a 429's text, an HTML page). */
export function parseAppError(bodyText: string): { id?: string; message?: string } {
  try {
    const parsed: unknown = JSON.parse(bodyText);
    if (parsed && typeof parsed === "object") {
      const { id, message } = parsed as { id?: unknown; message?: unknown };
      return { id: typeof id === "string" ? id : undefined, message: typeof message === "string" ? message : undefined };
    }
  } catch {
    // Not JSON: there is no AppError to read.
  }
  return {};
}

function userMessageForStatus(status: number, serverMessage: string | undefined): string {
  const detail = serverMessage !== undefined && serverMessage.length <= 120 ? `: ${serverMessage}` : ".";
  if (status === 400) return `Mattermost rejected the request${detail}`;
  if (status === 401) return "Your Mattermost login is no longer valid. Please log in to Mattermost again.";
  if (status === 403) return `Mattermost says you are not allowed to do that${detail}`;
  if (status === 404) return "Mattermost could not find that channel, user or message.";
  if (status === 413) return "That file is too large for Mattermost.";
  if (status === 429) return "Mattermost is limiting how fast we may send requests. Please try again in a minute.";
  if (status >= 500) return "Mattermost is having trouble right now. Please try again later.";
  return `Mattermost answered with an unexpected error (${status})${detail}`;
}
