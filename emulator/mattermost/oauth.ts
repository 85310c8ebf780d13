// The OAuth 2.0 provider: GET /oauth/authorize (sign in, then consent unless the app is trusted),
// POST /oauth/authorize (allow or deny), POST /oauth/access_token (authorization_code and refresh_token grants).
// mattermost/mattermost server/channels/web/oauth.go authorizeOAuthPage, authorizeOAuthApp, deauthorizeOAuthApp,
// getAccessToken; server/channels/app/oauth.go
import express, { Router, type Request, type Response } from "express";
import { sessionOf } from "./auth";
import { AppError, sendAppError } from "./errors";
import { consentPage, errorPage, loginPage, type AuthorizeParams } from "./oauth-pages";
import type { OAuthStore } from "./oauth-store";
import type { MmState } from "./state";
import type { MmOAuthApp } from "./types";

const COOKIE = "MMAUTHTOKEN";

function params(src: Record<string, unknown>): AuthorizeParams {
  const s = (k: string) => (typeof src[k] === "string" ? (src[k] as string) : "");
  return { response_type: s("response_type"), client_id: s("client_id"), redirect_uri: s("redirect_uri"), state: s("state") || undefined };
}

/** server/public/model/authorize.go AuthorizeRequest.IsValid and the app's registered callback URLs. */
function checkRequest(state: MmState, p: AuthorizeParams): MmOAuthApp {
  if (p.response_type !== "code") throw new AppError(400, "model.authorize.is_valid.response_type.app_error", "Invalid response type.");
  const app = state.apps.get(p.client_id);
  if (!app) throw new AppError(404, "app.oauth.get_app.find.app_error", "Unable to find the requested OAuth2 app.");
  if (p.redirect_uri !== app.redirectUri) throw new AppError(400, "api.oauth.allow_oauth.redirect_callback.app_error", "invalid_request: Supplied redirect_uri did not match registered callback_url.");
  return app;
}

function cookieSession(state: MmState, req: Request) {
  const m = /(?:^|;\s*)MMAUTHTOKEN=([a-z0-9]+)/.exec(req.headers.cookie ?? "");
  return sessionOf(state, m?.[1]);
}

function redirectWith(uri: string, q: Record<string, string | undefined>): string {
  const u = new URL(uri);
  for (const [k, v] of Object.entries(q)) if (v !== undefined) u.searchParams.set(k, v);
  return u.toString();
}

function html(res: Response, status: number, body: string): void {
  res.status(status).type("html").setHeader("Cache-Control", "no-store").send(body);
}

export function oauthRouter(state: MmState, store: OAuthStore): Router {
  const r = Router({ caseSensitive: true });
  r.use(express.urlencoded({ extended: false }), express.json());
  r.get("/authorize", (req, res) => {
    const p = params(req.query);
    let app: MmOAuthApp;
    try {
      app = checkRequest(state, p);
    } catch (err) {
      return html(res, (err as AppError).status, errorPage((err as AppError).status, (err as AppError).message));
    }
    const s = cookieSession(state, req);
    if (!s) return html(res, 200, loginPage(p));
    // web/oauth.go authorizeOAuthPage: a trusted app gets its code at once, without asking.
    if (app.trusted) return res.redirect(302, redirectWith(p.redirect_uri, { code: store.issueCode(s.user_id, app.clientId, p.redirect_uri), state: p.state }));
    html(res, 200, consentPage(p, app.name, state.user(s.user_id).username));
  });
  r.post("/login", (req, res) => {
    const b = req.body as Record<string, unknown>;
    const p = params(b);
    const login = String(b.login_id ?? "").toLowerCase();
    const user = [...state.users.values()].find((u) => (u.username === login || u.email === login) && !u.delete_at);
    if (!user || !user.password || user.password !== b.password) return html(res, 401, loginPage(p, "Enter a valid email or username and/or password."));
    const s = state.newSession(user.id, "session", 30 * 24 * 3600 * 1000);
    res.setHeader("Set-Cookie", `${COOKIE}=${s.token}; Path=/; HttpOnly; SameSite=Lax`);
    res.redirect(303, `/oauth/authorize?${new URLSearchParams(Object.entries(p).filter((e): e is [string, string] => !!e[1]))}`);
  });
  r.post("/authorize", (req, res) => {
    const b = req.body as Record<string, unknown>;
    const p = params({ ...req.query, ...b });
    const s = cookieSession(state, req);
    if (!s) return sendAppError(res, new AppError(401, "api.context.session_expired.app_error", "Invalid or expired session, please login again."));
    const app = checkRequest(state, p);
    const allow = b.allow === undefined || b.allow === true || b.allow === "true";
    // web/oauth.go deauthorizeOAuthApp: a denial goes back with error=access_denied.
    const target = allow
      ? redirectWith(p.redirect_uri, { code: store.issueCode(s.user_id, app.clientId, p.redirect_uri), state: p.state })
      : redirectWith(p.redirect_uri, { error: "access_denied", state: p.state });
    if (req.is("application/json")) return res.json({ redirect: target });
    res.redirect(302, target);
  });
  r.post("/access_token", (req, res) => {
    res.setHeader("Cache-Control", "no-store");
    res.setHeader("Pragma", "no-cache");
    res.json(accessToken(state, store, req.body as Record<string, unknown>));
  });
  return r;
}

/** web/oauth.go getAccessToken: checks in this order, then app/oauth.go GetOAuthAccessTokenForCodeFlow. */
function accessToken(state: MmState, store: OAuthStore, b: Record<string, unknown>) {
  const s = (k: string) => (typeof b[k] === "string" ? (b[k] as string) : "");
  const grant = s("grant_type");
  if (grant !== "authorization_code" && grant !== "refresh_token") {
    throw new AppError(400, "api.oauth.get_access_token.bad_grant.app_error", "invalid_request: Bad grant_type.");
  }
  if (s("client_id").length !== 26) throw new AppError(400, "api.oauth.get_access_token.bad_client_id.app_error", "invalid_request: Bad client_id.");
  if (!s("client_secret")) throw new AppError(400, "api.oauth.get_access_token.bad_client_secret.app_error", "invalid_request: Missing client_secret.");
  if (grant === "authorization_code" && !s("code")) throw new AppError(400, "api.oauth.get_access_token.missing_code.app_error", "invalid_request: Missing code.");
  if (grant === "refresh_token" && !s("refresh_token")) throw new AppError(400, "api.oauth.get_access_token.missing_refresh_token.app_error", "invalid_request: Missing refresh_token.");
  const app = state.apps.get(s("client_id"));
  if (!app || app.clientSecret !== s("client_secret")) throw new AppError(403, "api.oauth.get_access_token.credentials.app_error", "invalid_client: Invalid client credentials.");
  return grant === "authorization_code" ? store.exchangeCode(app.clientId, s("code"), s("redirect_uri")) : store.refresh(app.clientId, s("refresh_token"));
}
