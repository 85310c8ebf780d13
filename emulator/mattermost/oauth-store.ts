// The OAuth provider's records: authorization codes (single use, 10 minutes) and access data (an access token's
// session and its refresh token, one per user and app). mattermost/mattermost server/channels/app/oauth.go,
// server/public/model/authorize.go (AuthCodeExpireTime), server/public/model/access.go
import { AppError } from "./errors";
import { newId } from "./ids";
import type { MmState } from "./state";
import type { MmSession } from "./types";

/** model.AuthCodeExpireTime: 10 minutes. */
export const AUTH_CODE_TTL_MS = 10 * 60 * 1000;
/** ServiceSettings.SessionLengthSSOInHours default 720 h: an OAuth session's life (app/oauth.go newSession). */
export const DEFAULT_OAUTH_TOKEN_SECONDS = 720 * 3600;

interface AuthCode { userId: string; clientId: string; redirectUri: string; expiresAt: number }
export interface AccessData { token: string; refreshToken: string; userId: string; clientId: string }

export interface TokenResponse {
  access_token: string;
  token_type: "bearer";
  expires_in: number;
  scope: "user";
  refresh_token: string;
}

const expiredCode = () => new AppError(400, "api.oauth.get_access_token.expired_code.app_error", "Invalid or expired authorization code.");

export class OAuthStore {
  private readonly codes = new Map<string, AuthCode>();
  private readonly access = new Map<string, AccessData>();

  constructor(
    private readonly state: MmState,
    public tokenSeconds = DEFAULT_OAUTH_TOKEN_SECONDS,
  ) {}

  /** app/oauth.go AllowOAuthAppAccessToUser: the code is two ids long. */
  issueCode(userId: string, clientId: string, redirectUri: string): string {
    const code = newId() + newId();
    this.codes.set(code, { userId, clientId, redirectUri, expiresAt: Date.now() + AUTH_CODE_TTL_MS });
    return code;
  }

  /**
   * app/oauth.go GetOAuthAccessTokenForCodeFlow: a code is used once and must come with the same redirect_uri.
   * A user who already holds an unexpired token for the app gets that same token back; an expired one is rotated.
   */
  exchangeCode(clientId: string, code: string, redirectUri: string): TokenResponse {
    const c = this.codes.get(code);
    if (!c || c.clientId !== clientId) throw expiredCode();
    this.codes.delete(code);
    // An expired code is 403, an unknown one 400, with the same id.
    if (c.expiresAt < Date.now()) throw new AppError(403, "api.oauth.get_access_token.expired_code.app_error", "Invalid or expired authorization code.");
    if (c.redirectUri !== redirectUri) throw new AppError(400, "api.oauth.get_access_token.redirect_uri.app_error", "The redirect_uri must match the authorization code's redirect_uri.");
    const previous = [...this.access.values()].find((a) => a.userId === c.userId && a.clientId === clientId);
    if (previous) {
      const s = this.state.sessions.get(previous.token);
      if (s && s.expires_at > Date.now()) return this.response(previous, s);
      return this.rotate(previous);
    }
    return this.grant(c.userId, clientId);
  }

  /** app/oauth.go GetOAuthAccessTokenForRefreshToken / newSessionUpdateToken: new token, new refresh token, old session ended. */
  refresh(clientId: string, refreshToken: string): TokenResponse {
    const a = this.access.get(refreshToken);
    if (!a || a.clientId !== clientId) throw new AppError(400, "api.oauth.get_access_token.refresh_token.app_error", "Invalid refresh token.");
    return this.rotate(a);
  }

  /** The access data (tokens and refresh tokens), to keep across runs; pending codes are not kept. */
  dumpAccess(): AccessData[] {
    return [...this.access.values()].map((a) => ({ ...a }));
  }

  loadAccess(list: AccessData[]): void {
    for (const a of list) this.access.set(a.refreshToken, { ...a });
  }

  /** Ends every token of an app for a user, or of a token (control API, deauthorising). */
  revokeToken(token: string): void {
    for (const [k, a] of this.access) if (a.token === token) this.access.delete(k);
    this.state.revoke(token);
  }

  private rotate(a: AccessData): TokenResponse {
    this.access.delete(a.refreshToken);
    this.state.revoke(a.token);
    return this.grant(a.userId, a.clientId);
  }

  private grant(userId: string, clientId: string): TokenResponse {
    const s = this.state.newSession(userId, "oauth", this.tokenSeconds * 1000, clientId);
    const a: AccessData = { token: s.token, refreshToken: newId(), userId, clientId };
    this.access.set(a.refreshToken, a);
    return this.response(a, s);
  }

  private response(a: AccessData, s: MmSession): TokenResponse {
    const expiresIn = Math.max(Math.floor((s.expires_at - Date.now()) / 1000), 0);
    return { access_token: a.token, token_type: "bearer", expires_in: expiresIn, scope: "user", refresh_token: a.refreshToken };
  }
}
