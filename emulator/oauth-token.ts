// POST /login/oauth/token: the authorization-code exchange as oauth2orize answered it for Gitter
// (API reference 1.1 step 2). Client credentials only in the body; codes are single-use.
import express, { Router, type Response } from "express";
import type { EmulatorState } from "./state";

function tokenError(res: Response, status: number, error: string, description: string): void {
  res.status(status).json({ error, error_description: description });
}

function field(body: Record<string, unknown>, name: string): string | undefined {
  const v = body[name];
  return typeof v === "string" && v.length > 0 ? v : undefined;
}

export function tokenRouter(state: EmulatorState): Router {
  const r = Router({ caseSensitive: true });
  r.post("/login/oauth/token", express.urlencoded({ extended: false }), express.json(), (req, res) => {
    const body = (req.body && typeof req.body === "object" ? req.body : {}) as Record<string, unknown>;
    const clientId = field(body, "client_id");
    const app = clientId ? state.auth.getApp(clientId) : undefined;
    if (!app || field(body, "client_secret") !== app.clientSecret) {
      return tokenError(res, 401, "server_error", "Unauthorized");
    }
    const grantType = field(body, "grant_type");
    if (!grantType) return tokenError(res, 400, "invalid_request", "Missing required parameter: grant_type");
    if (grantType !== "authorization_code") {
      return tokenError(res, 501, "unsupported_grant_type", `Unsupported grant type: ${grantType}`);
    }
    const code = field(body, "code");
    if (!code) return tokenError(res, 400, "invalid_request", "Missing required parameter: code");
    const grant = state.auth.redeemCode(code, app.clientId, field(body, "redirect_uri"));
    if (!grant) return tokenError(res, 403, "invalid_grant", "Invalid authorization code");
    res.setHeader("Cache-Control", "no-store");
    res.setHeader("Pragma", "no-cache");
    res.json({ access_token: state.issueToken(grant.userId, app.clientId), token_type: "Bearer" });
  });
  return r;
}
