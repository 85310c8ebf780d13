// The REST API, mounted by server.ts at both /v1 (api.gitter.im) and /api/v1 (gitter.im/api).
import express, { Router } from "express";
import { RateLimiter, rateLimitMiddleware } from "../rate-limit";
import type { EmulatorState } from "../state";
import { authenticate } from "./auth";
import { chatRouter } from "./chat";
import { caller, errorHandler } from "./common";
import { roomsRouter } from "./rooms";
import { unreadRouter } from "./unread";
import { usersRouter } from "./users";

export function restRouter(state: EmulatorState, limiter: RateLimiter): Router {
  const r = Router({ caseSensitive: true, strict: false });
  r.use(express.json({ limit: "1mb" }), express.urlencoded({ extended: false, limit: "1mb" }));
  r.use(authenticate(state));
  r.use(rateLimitMiddleware(limiter, (res) => `${caller(res).user.id}:${caller(res).token.clientId}`));
  r.use(usersRouter(state), roomsRouter(state), chatRouter(state), unreadRouter(state));
  r.use((_req, res) => {
    res.status(404).json({ error: "Not Found" });
  });
  r.use(errorHandler);
  return r;
}
