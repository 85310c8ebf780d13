// A failed homeserver call. `message` is for the log (method, path, status, the homeserver's own words); what a
// person is told is decided where the call was made, which knows what the person was doing.

import { BridgeError } from "../util/errors";

/** Not a spec errcode: the homeserver could not be reached or did not answer in time. */
export const CONNECTION_FAILED = "M_CONNECTION_FAILED";

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

export class MatrixApiError extends BridgeError {
  readonly side = "homeserver" as const;
  readonly party = "the homeserver";
  readonly errcode: string;
  readonly status: number;
  readonly method: string;
  readonly path: string;
  readonly retryAfterMs: number | undefined;

  constructor(init: MatrixApiErrorInit) {
    super(`${init.method} ${init.path} failed: ${init.status || "no response"} ${init.errcode}${init.error ? `: ${init.error}` : ""}`);
    this.name = "MatrixApiError";
    this.errcode = init.errcode;
    this.status = init.status;
    this.method = init.method;
    this.path = init.path;
    this.retryAfterMs = init.retryAfterMs;
  }

  /** No answer, a 5xx or a 429: the homeserver was down, overloaded or limiting us. */
  override get transient(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }

  override get answerStatus(): number | undefined {
    return this.status === 0 ? undefined : this.status;
  }
}

export function isMatrixError(err: unknown, errcode?: string): err is MatrixApiError {
  return err instanceof MatrixApiError && (errcode === undefined || err.errcode === errcode);
}
