// Gitter's OAuth2 authorization-code flow (API reference 1.1): the authorize page, where a person signs in as a
// fixture user and approves or denies the app, and the token endpoint (oauth-token.ts). The signed-in user is
// kept in a cookie session; the consent form carries a per-session CSRF value.
import { randomBytes } from "node:crypto";
import express, { Router, type Request, type Response } from "express";
import { consentPage, failedPage, loginPage, type AuthorizeParams } from "./oauth-pages";
import { tokenRouter } from "./oauth-token";
import type { EmulatorState } from "./state";
import type { EmOAuthApp, EmUser } from "./types";

const COOKIE = "gitter_emulator_session";

interface Session {
  userId?: string;
  csrf: string;
}

type Checked = { ok: true; app: EmOAuthApp; params: AuthorizeParams } | { ok: false; reason: string };

function str(v: unknown): string | undefined {
  return typeof v === "string" && v.length > 0 ? v : undefined;
}

/** Unknown client, redirect_uri not exactly the registered one, or response_type other than code: refused. */
function checkParams(state: EmulatorState, src: Record<string, unknown>): Checked {
  const clientId = str(src.client_id);
  const app = clientId ? state.auth.getApp(clientId) : undefined;
  if (!app) return { ok: false, reason: "Unknown client_id" };
  const redirectUri = str(src.redirect_uri);
  if (redirectUri !== app.redirectUri) return { ok: false, reason: "redirect_uri does not match the registered one" };
  if (str(src.response_type) !== "code") return { ok: false, reason: "response_type must be code" };
  return { ok: true, app, params: { client_id: app.clientId, redirect_uri: redirectUri, response_type: "code", state: str(src.state) } };
}

function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return decodeURIComponent(v.join("="));
  }
  return undefined;
}

function redirectWith(params: AuthorizeParams, extra: Record<string, string>): string {
  const url = new URL(params.redirect_uri);
  for (const [k, v] of Object.entries(extra)) url.searchParams.set(k, v);
  if (params.state !== undefined) url.searchParams.set("state", params.state);
  return url.toString();
}

function authorizeUrl(params: AuthorizeParams): string {
  const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined) as [string, string][]);
  return `/login/oauth/authorize?${q.toString()}`;
}

function html(res: Response, status: number, body: string): void {
  res.status(status).setHeader("Cache-Control", "no-store");
  res.type("html").send(body);
}

function formBody(req: Request): Record<string, unknown> {
  return (req.body && typeof req.body === "object" ? req.body : {}) as Record<string, unknown>;
}

/** Cookie sessions of people signed in on the authorize page, per emulator. */
class Sessions {
  private readonly byId = new Map<string, Session>();

  constructor(private readonly state: EmulatorState) {}

  /** The signed-in session and user, or undefined. */
  current(req: Request): { session: Session; user: EmUser } | undefined {
    const sid = readCookie(req, COOKIE);
    const session = sid ? this.byId.get(sid) : undefined;
    const user = session?.userId ? this.state.getUser(session.userId) : undefined;
    return session && user ? { session, user } : undefined;
  }

  start(res: Response, userId: string): void {
    const sid = randomBytes(20).toString("hex");
    this.byId.set(sid, { userId, csrf: randomBytes(16).toString("hex") });
    res.setHeader("Set-Cookie", `${COOKIE}=${sid}; Path=/login; HttpOnly; SameSite=Lax`);
  }

  end(req: Request, res: Response): void {
    const sid = readCookie(req, COOKIE);
    if (sid) this.byId.delete(sid);
    res.setHeader("Set-Cookie", `${COOKIE}=; Path=/login; HttpOnly; SameSite=Lax; Max-Age=0`);
  }
}

const form = express.urlencoded({ extended: false });

function signInRoutes(r: Router, state: EmulatorState, sessions: Sessions): void {
  r.get("/login/oauth/authorize", (req, res) => {
    const c = checkParams(state, req.query);
    if (!c.ok) return html(res, 401, failedPage(c.reason));
    const who = sessions.current(req);
    if (!who) return html(res, 200, loginPage(c.app.name, c.params));
    html(res, 200, consentPage(c.app.name, c.params, who.user, who.session.csrf));
  });

  r.post("/login/oauth/authorize/login", form, (req, res) => {
    const body = formBody(req);
    const c = checkParams(state, body);
    if (!c.ok) return html(res, 401, failedPage(c.reason));
    const username = str(body.username) ?? "";
    const user = state.findUserByName(username);
    if (!user || str(body.password) !== user.password) {
      return html(res, 200, loginPage(c.app.name, c.params, "Wrong username or password.", username));
    }
    sessions.start(res, user.id);
    res.redirect(303, authorizeUrl(c.params));
  });

  r.post("/login/oauth/logout", form, (req, res) => {
    sessions.end(req, res);
    const c = checkParams(state, formBody(req));
    if (!c.ok) return html(res, 200, failedPage("Signed out."));
    res.redirect(303, authorizeUrl(c.params));
  });
}

function decisionRoute(r: Router, state: EmulatorState, sessions: Sessions): void {
  r.post("/login/oauth/authorize/decision", form, (req, res) => {
    const body = formBody(req);
    const c = checkParams(state, body);
    if (!c.ok) return html(res, 401, failedPage(c.reason));
    const who = sessions.current(req);
    if (!who) return html(res, 200, loginPage(c.app.name, c.params, "Please sign in first."));
    if (str(body.csrf) !== who.session.csrf) return html(res, 403, failedPage("The form expired; please try again."));
    if (body.decision !== "approve") return res.redirect(302, redirectWith(c.params, { error: "access_denied" }));
    const code = state.auth.issueCode(c.app.clientId, who.user.id, c.params.redirect_uri);
    res.redirect(302, redirectWith(c.params, { code }));
  });
}

export function oauthRouter(state: EmulatorState): Router {
  const r = Router({ caseSensitive: true });
  const sessions = new Sessions(state);
  signInRoutes(r, state, sessions);
  decisionRoute(r, state, sessions);
  r.use(tokenRouter(state));
  return r;
}
