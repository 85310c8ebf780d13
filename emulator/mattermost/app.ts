// The HTTP surface: /api/v4 (REST, behind the session check and the rate limit), /oauth (the provider) and,
// only when enabled, /_emulator (the control API, not part of Mattermost).
import express, { Router, type Express } from "express";
import { requireSession } from "./auth";
import { controlRouter, type ControlDeps } from "./control";
import { AppError, appErrorHandler, requestId, sendAppError } from "./errors";
import { oauthRouter } from "./oauth";
import { channelRoutes } from "./rest-channels";
import { fileRoutes } from "./rest-files";
import { postRoutes } from "./rest-posts";
import { preferenceRoutes } from "./rest-preferences";
import { searchRoutes } from "./rest-search";
import { userRoutes } from "./rest-users";

export function mountApp(app: Express, deps: ControlDeps, control: boolean): void {
  const { state, limiter, faults } = deps;
  app.disable("x-powered-by");
  app.set("case sensitive routing", true);
  app.use(requestId);
  app.use("/oauth", oauthRouter(state, deps.oauth));
  if (control) app.use("/_emulator", controlRouter(deps));
  const api = Router({ caseSensitive: true });
  api.use(faults.middleware());
  api.use(requireSession(state, limiter));
  api.use(express.json({ limit: "50mb" }));
  searchRoutes(api, state);
  userRoutes(api, state);
  preferenceRoutes(api, state);
  channelRoutes(api, state);
  postRoutes(api, state);
  fileRoutes(api, state);
  app.use("/api/v4", api);
  app.get("/", (_req, res) => {
    res.type("text/plain").send("Mattermost emulator. REST at /api/v4, websocket at /api/v4/websocket, OAuth at /oauth/authorize.\n");
  });
  // server/channels/api4/api.go Handle404
  app.use((_req, res) => {
    sendAppError(res, new AppError(404, "api.context.404.app_error", "Sorry, we could not find the page."));
  });
  app.use(appErrorHandler);
}
