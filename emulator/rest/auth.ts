// Token authentication as Gitter's passport-http-bearer fork did it: `Authorization: Bearer`, the
// `x-access-token` header, or `?access_token=` (or a body field). A malformed Authorization header is 400,
// two different tokens are 400, a missing or unknown token is 401 `{"error":"Unauthorized"}`.
import type { NextFunction, Request, Response } from "express";
import type { EmulatorState } from "../state";
import type { Caller } from "./common";

type Extracted = { token?: string } | { bad: true };

function headerToken(header: string | undefined): Extracted {
  if (header === undefined) return {};
  const parts = header.trim().split(/\s+/);
  if (parts.length !== 2) return { bad: true };
  return /^bearer$/i.test(parts[0]) ? { token: parts[1] } : {};
}

function firstString(v: unknown): string | undefined {
  return typeof v === "string" && v.length > 0 ? v : undefined;
}

/** Collects the token from every place it may be; conflicting tokens are malformed. */
export function extractToken(req: Request): Extracted {
  const fromHeader = headerToken(req.headers.authorization);
  if ("bad" in fromHeader) return fromHeader;
  const body = req.body as Record<string, unknown> | undefined;
  const found = [
    fromHeader.token,
    firstString(req.headers["x-access-token"]),
    firstString(req.query.access_token),
    firstString(body && typeof body === "object" ? body.access_token : undefined),
  ].filter((t): t is string => Boolean(t));
  if (new Set(found).size > 1) return { bad: true };
  return { token: found[0] };
}

export function authenticate(state: EmulatorState) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const extracted = extractToken(req);
    if ("bad" in extracted) {
      res.status(400).json({ error: "Bad Request" });
      return;
    }
    const record = extracted.token ? state.auth.lookup(extracted.token) : undefined;
    const user = record ? state.getUser(record.userId) : undefined;
    if (!record || !user) {
      res.status(401).json({ error: "Unauthorized" });
      return;
    }
    const c: Caller = { user, token: record };
    res.locals.caller = c;
    next();
  };
}
