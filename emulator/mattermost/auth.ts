// Who is calling: the token of `Authorization: Bearer <token>` (or `Token <token>`, or ?access_token=), a
// session, an OAuth access token or a personal access token; anything else is 401. Then the rate limit, per user.
// mattermost/mattermost server/channels/app/session.go ParseAuthTokenFromRequest, server/channels/web/handlers.go
import type { NextFunction, Request, Response } from "express";
import { errors } from "./errors";
import { applyRateLimit, type GcraLimiter } from "./ratelimit";
import type { MmState } from "./state";
import type { MmSession } from "./types";

export function tokenOf(req: { headers: Request["headers"]; url?: string }): string | undefined {
  const h = req.headers.authorization;
  const m = typeof h === "string" ? /^(bearer|token)\s+(\S+)$/i.exec(h.trim()) : null;
  if (m) return m[2];
  const q = new URL(req.url ?? "/", "http://x").searchParams.get("access_token");
  return q ?? undefined;
}

/** The live session of a token: unknown, expired or a deactivated user's is undefined. */
export function sessionOf(state: MmState, token: string | undefined): MmSession | undefined {
  if (!token) return undefined;
  const s = state.sessions.get(token);
  if (!s) return undefined;
  if (s.expires_at && s.expires_at < Date.now()) return undefined;
  const u = state.users.get(s.user_id);
  if (!u || u.delete_at) return undefined;
  return s;
}

export function requireSession(state: MmState, limiter: GcraLimiter) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const s = sessionOf(state, tokenOf(req));
    if (!s) return next(errors.session());
    res.locals.session = s;
    if (applyRateLimit(limiter, s.user_id, res)) next();
  };
}

export function me(res: Response): string {
  return (res.locals.session as MmSession).user_id;
}

/** `me` in a URL means the caller (server/channels/web/params.go). */
export function userParam(req: Request, res: Response): string {
  const id = String(req.params.user_id);
  return id === "me" ? me(res) : id;
}
