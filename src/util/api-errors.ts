// The parts every network's API errors share (src/<network>/errors.ts keeps its own classes, their names, fields
// and the sentences for the person): what an HTTP failure is made of, the log lines they carry, and the redaction
// that keeps tokens out of both. Knows HTTP only, nothing of any one network.

/** A body is cut to this many characters before it goes into an error (and so into a log). */
export const MAX_BODY_CHARS = 500;

export interface ApiErrorDetails {
  status: number;
  method: string;
  /** Path and query only (tokens travel in a header, never in the URL). */
  path: string;
  /** Response body, already redacted; cut to a few hundred characters. */
  bodyText: string;
}

/** The body, cut, and the log line of an answer outside 2xx: `<party> <METHOD> <path> failed: <status> <body>`. */
export function apiFailure(party: string, details: ApiErrorDetails): { bodyText: string; logMessage: string } {
  const bodyText = details.bodyText.slice(0, MAX_BODY_CHARS);
  const logMessage = `${party} ${details.method} ${details.path} failed: ${details.status}${bodyText ? ` ${bodyText}` : ""}`;
  return { bodyText, logMessage };
}

/** The details of a 2xx answer that cannot be used: the problem goes first in the body text, for the log. */
export function badResponseDetails(details: ApiErrorDetails, problem: string): ApiErrorDetails {
  return { ...details, bodyText: `(unexpected answer: ${problem}) ${details.bodyText}` };
}

/** The log line of a request that got no HTTP answer (refused, reset, DNS failure, timeout). */
export function unansweredMessage(party: string, method: string, path: string, cause: unknown): string {
  return `${party} ${method} ${path} failed: ${describeCause(cause)}`;
}

/** The log line of a failure that was not retried because the request may have arrived. */
export function maybeDeliveredMessage(cause: Error): string {
  return `${cause.message} (not retried: the request may have been delivered)`;
}

/** Replaces every occurrence of `secret` in `text`. Empty secrets leave the text unchanged. */
export function redactSecret(text: string, secret: string | undefined): string {
  if (!secret) return text;
  return text.split(secret).join("[redacted]");
}

/** `Name: message (CODE)` for a thrown value, the code being that of the system error under it, if any. */
export function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = (cause as Error & { cause?: { code?: unknown } }).cause;
    const code = inner && typeof inner.code === "string" ? ` (${inner.code})` : "";
    return `${cause.name}: ${cause.message}${code}`;
  }
  return String(cause);
}
