// Mounts the emulator's HTTP surface on an Express app: CORS, the chunked-body check, avatars, OAuth,
// the REST API at /v1 and /api/v1, and (only when enabled) the control API at /_emulator.
import type { Express, NextFunction, Request, Response } from "express";
import { avatarRouter } from "./avatars";
import { controlRouter } from "./control";
import { FaultPlan } from "./faults";
import { oauthRouter } from "./oauth";
import { RateLimiter, rejectChunked } from "./rate-limit";
import { restRouter } from "./rest";
import { errorHandler } from "./rest/common";
import type { EmulatorState } from "./state";

export interface MountOptions {
  control: boolean;
}

/** Gitter's API allowed any origin and exposed the rate-limit headers. */
function cors(req: Request, res: Response, next: NextFunction): void {
  res.setHeader("Access-Control-Allow-Origin", req.headers.origin ?? "*");
  res.setHeader("Vary", "Origin");
  res.setHeader("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, PATCH");
  res.setHeader("Access-Control-Allow-Headers", req.headers["access-control-request-headers"] ?? "Authorization, Content-Type, Accept, x-access-token");
  res.setHeader("Access-Control-Expose-Headers", "X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset");
  res.setHeader("Access-Control-Max-Age", "600");
  if (req.method === "OPTIONS") {
    res.status(204).end();
    return;
  }
  next();
}

export function mountEmulator(app: Express, state: EmulatorState, limiter: RateLimiter, opts: MountOptions): void {
  app.disable("x-powered-by");
  app.set("case sensitive routing", true);
  app.use(rejectChunked);
  app.use(avatarRouter(state));
  app.use(oauthRouter(state));
  // Faults can only be armed through the control API; without it the plan stays empty.
  const faults = new FaultPlan();
  if (opts.control) app.use("/_emulator", controlRouter(state, limiter, faults));
  const rest = restRouter(state, limiter);
  app.use("/v1", cors, faults.middleware(), rest);
  app.use("/api/v1", cors, faults.middleware(), rest);
  app.get("/", (_req, res) => {
    res.type("text/plain").send("Gitter emulator. REST at /v1 and /api/v1, OAuth at /login/oauth/authorize.\n");
  });
  app.use((_req, res) => {
    res.status(404).json({ error: "Not Found" });
  });
  app.use(errorHandler);
}
