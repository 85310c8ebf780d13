// A failed homeserver call. It carries two messages: `message` for the log (method, path, status, the
// homeserver's own words) and `personMessage` for a room or a web page (short, no ids, no stack, no token).

/** Not a spec errcode: the homeserver could not be reached or did not answer in time. */
export const CONNECTION_FAILED = "M_CONNECTION_FAILED";

const PERSON_MESSAGES: Record<string, string> = {
  M_FORBIDDEN: "The homeserver refused this action.",
  M_NOT_FOUND: "The homeserver could not find that.",
  M_LIMIT_EXCEEDED: "The homeserver is busy right now; please try again in a moment.",
  M_TOO_LARGE: "That is too large for the homeserver.",
  M_UNKNOWN_TOKEN: "The bridge is not authorised on the homeserver; please tell the administrator.",
  M_EXCLUSIVE: "That name is reserved on the homeserver.",
  [CONNECTION_FAILED]: "The homeserver could not be reached; please try again later.",
};

export interface MatrixApiErrorInit {
  errcode: string;
  /** HTTP status; 0 when no response arrived. */
  status: number;
  method: string;
  /** The request path without its query string (which may name users but never holds a token). */
  path: string;
  /** The homeserver's `error` text, if any. */
  error?: string;
  retryAfterMs?: number;
}

export class MatrixApiError extends Error {
  readonly errcode: string;
  readonly status: number;
  readonly method: string;
  readonly path: string;
  readonly retryAfterMs: number | undefined;
  /** What a person may be told. */
  readonly personMessage: string;

  constructor(init: MatrixApiErrorInit) {
    super(`${init.method} ${init.path} failed: ${init.status || "no response"} ${init.errcode}${init.error ? `: ${init.error}` : ""}`);
    this.name = "MatrixApiError";
    this.errcode = init.errcode;
    this.status = init.status;
    this.method = init.method;
    this.path = init.path;
    this.retryAfterMs = init.retryAfterMs;
    this.personMessage = PERSON_MESSAGES[init.errcode] ?? "The homeserver could not do that; please try again later.";
  }

  /** What the log gets: the same as `message`, named for symmetry with `personMessage`. */
  get logMessage(): string {
    return this.message;
  }
}

export function isMatrixError(err: unknown, errcode?: string): err is MatrixApiError {
  return err instanceof MatrixApiError && (errcode === undefined || err.errcode === errcode);
}
