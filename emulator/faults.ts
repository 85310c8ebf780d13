// Injected REST failures, for testing what a client does when Gitter misbehaves (control API only; not part of
// Gitter). Each fault fails the next `count` matching requests in one of three ways:
//   before: answers `status` without handling the request (nothing happened);
//   after:  handles the request, then answers `status` instead of the result (it did happen);
//   drop:   handles the request, then closes the connection without an answer (it did happen).
import type { NextFunction, Request, Response } from "express";
import { ApiError } from "./types";

export type FaultMode = "before" | "after" | "drop";

export interface Fault {
  mode: FaultMode;
  /** HTTP status for `before` and `after` (default 500). */
  status: number;
  /** Requests still to fail. */
  count: number;
  /** Only requests with this method (any when absent). */
  method?: string;
  /** Only requests whose path (without /v1 or /api/v1) matches this pattern (any when absent). */
  path?: RegExp;
}

const MODES = new Set<FaultMode>(["before", "after", "drop"]);

export class FaultPlan {
  private faults: Fault[] = [];

  /** Validates and queues a fault from a control API body; throws ApiError (400) on bad input. */
  add(body: Record<string, unknown>): Fault {
    const mode = body.mode ?? "before";
    if (typeof mode !== "string" || !MODES.has(mode as FaultMode)) throw new ApiError(400, "mode must be before, after or drop");
    const status = body.status ?? 500;
    if (typeof status !== "number" || !Number.isInteger(status) || status < 400 || status > 599) throw new ApiError(400, "status must be 400-599");
    const count = body.count ?? 1;
    if (typeof count !== "number" || !Number.isInteger(count) || count < 1) throw new ApiError(400, "count must be a positive integer");
    if (body.method !== undefined && typeof body.method !== "string") throw new ApiError(400, "method must be a string");
    let path: RegExp | undefined;
    if (body.path !== undefined) {
      if (typeof body.path !== "string") throw new ApiError(400, "path must be a string");
      try {
        path = new RegExp(body.path);
      } catch {
        throw new ApiError(400, "path is not a valid pattern");
      }
    }
    const fault: Fault = { mode: mode as FaultMode, status, count, method: body.method?.toUpperCase(), path };
    this.faults.push(fault);
    return fault;
  }

  clear(): void {
    this.faults = [];
  }

  /** Faults still armed, for the control API. */
  pending(): number {
    return this.faults.reduce((n, f) => n + f.count, 0);
  }

  /** Takes one use of the first fault matching the request, if any. */
  take(req: Request): Fault | undefined {
    const fault = this.faults.find((f) => (!f.method || f.method === req.method) && (!f.path || f.path.test(req.path)));
    if (!fault) return undefined;
    fault.count -= 1;
    if (fault.count <= 0) this.faults.splice(this.faults.indexOf(fault), 1);
    return fault;
  }

  /** Express middleware applying the plan to the REST API. */
  middleware() {
    return (req: Request, res: Response, next: NextFunction): void => {
      const fault = this.take(req);
      if (!fault) return next();
      if (fault.mode === "before") {
        res.status(fault.status).json({ error: "Injected fault" });
        return;
      }
      replaceAnswer(res, fault);
      next();
    };
  }
}

/** Lets the route run, then swaps its answer for the fault's (an error status, or no answer at all). */
function replaceAnswer(res: Response, fault: Fault): void {
  const end = res.end.bind(res) as (chunk?: unknown) => Response;
  res.end = ((): Response => {
    if (fault.mode === "drop") {
      res.socket?.destroy();
      return res;
    }
    res.statusCode = fault.status;
    res.removeHeader("Content-Length");
    res.removeHeader("ETag");
    res.setHeader("Content-Type", "application/json; charset=utf-8");
    return end(JSON.stringify({ error: "Injected fault" }));
  }) as Response["end"];
}
