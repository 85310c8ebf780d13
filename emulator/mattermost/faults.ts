// Injected REST failures for tests (control API only; not part of Mattermost): the next `count` requests that
// match answer `status` with an AppError body, without being handled; or, with `after`, are handled and then answer
// `status` instead of their result (it did happen, the client cannot tell); or, with `drop`, are handled and then
// lose their answer (the connection is cut before a byte of it is sent), as when a proxy or the network fails late;
// or, with `garble`, are handled and then answer their own status with a body that is not JSON (a proxy's page, a
// server bug): the client cannot read whether or what it did.
import type { NextFunction, Request, Response } from "express";
import { AppError, sendAppError } from "./errors";

export interface Fault {
  status: number;
  count: number;
  method?: string;
  path?: RegExp;
  /** Handle the request, then cut the connection instead of answering. */
  drop?: boolean;
  /** Handle the request, then answer `status` instead of its result. */
  after?: boolean;
  /** Handle the request, then answer its own status with a body that is not JSON (`status` is not used). */
  garble?: boolean;
}

export class FaultPlan {
  private faults: Fault[] = [];

  add(b: Record<string, unknown>): Fault {
    const status = b.status ?? 500;
    const count = b.count ?? 1;
    if (typeof status !== "number" || status < 400 || status > 599) throw new AppError(400, "emulator.fault.status", "status must be 400-599");
    if (typeof count !== "number" || !Number.isInteger(count) || count < 1) throw new AppError(400, "emulator.fault.count", "count must be a positive integer");
    let path: RegExp | undefined;
    try {
      path = typeof b.path === "string" ? new RegExp(b.path) : undefined;
    } catch {
      throw new AppError(400, "emulator.fault.path", "path is not a valid pattern");
    }
    const fault: Fault = { status, count, method: typeof b.method === "string" ? b.method.toUpperCase() : undefined, path, drop: b.drop === true, after: b.after === true, garble: b.garble === true };
    this.faults.push(fault);
    return fault;
  }

  clear(): void {
    this.faults = [];
  }

  middleware() {
    return (req: Request, res: Response, next: NextFunction): void => {
      const f = this.faults.find((x) => (!x.method || x.method === req.method) && (!x.path || x.path.test(req.path)));
      if (!f) return next();
      if (--f.count <= 0) this.faults.splice(this.faults.indexOf(f), 1);
      if (f.drop) return dropAnswer(req, res, next);
      if (f.after) return failAnswer(res, f, next);
      if (f.garble) return garbleAnswer(res, next);
      sendAppError(res, new AppError(f.status, "emulator.injected_fault", "Injected fault"));
    };
  }
}

function dropAnswer(req: Request, res: Response, next: NextFunction): void {
  res.end = (() => {
    req.socket.destroy();
    return res;
  }) as Response["end"];
  next();
}

function failAnswer(res: Response, f: Fault, next: NextFunction): void {
  const end = res.end.bind(res) as (chunk?: unknown) => Response;
  res.end = ((): Response => {
    res.statusCode = f.status;
    res.removeHeader("Content-Length");
    res.removeHeader("ETag");
    res.setHeader("Content-Type", "application/json; charset=utf-8");
    return end(JSON.stringify({ id: "emulator.injected_fault", message: "Injected fault", detailed_error: "", request_id: "", status_code: f.status }));
  }) as Response["end"];
  next();
}

function garbleAnswer(res: Response, next: NextFunction): void {
  const end = res.end.bind(res) as (chunk?: unknown) => Response;
  res.end = ((): Response => {
    res.removeHeader("Content-Length");
    res.removeHeader("ETag");
    res.setHeader("Content-Type", "text/html; charset=utf-8");
    return end("<html><body>502 Bad Gateway</body></html>");
  }) as Response["end"];
  next();
}
