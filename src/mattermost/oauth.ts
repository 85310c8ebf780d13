// OAuth 2.0 client for Mattermost's provider (off unless EnableOAuthServiceProvider): the authorization-code grant
// and the refresh_token grant at /oauth/access_token, client credentials in the form body. Its errors are AppErrors
// whose stable `id` says what went wrong (mattermost/mattermost server/channels/web/oauth.go getAccessToken,
// server/channels/app/oauth.go GetOAuthAccessTokenForCodeFlow, GetOAuthAccessTokenForRefreshToken). A refresh
// rotates BOTH tokens and ends the old session at once, so the caller must store the new pair before using it.
// Neither the client secret nor a token is ever logged or put into an error message.
import { fromFetch, httpSend, type HttpSend } from "../util/http";
import { MattermostError, parseAppError, redactSecret } from "./errors";
import { isRecord } from "./validate";

export interface MattermostOAuthOptions {
  /** The server's base URL, e.g. https://chat.example.com. */
  serverUrl: string;
  /** 26 characters, as the System Console shows it. */
  clientId: string;
  clientSecret: string;
  /** Must equal one of the app's registered callback URLs. */
  redirectUri: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
  now?: () => number;
}

export interface MattermostTokens {
  accessToken: string;
  /** Absent when the server gave none. */
  refreshToken: string | undefined;
  /** When the access token expires (ms since epoch); undefined when the answer said nothing. */
  expiresAt: number | undefined;
}

export type OAuthFailure = "invalid_request" | "invalid_grant" | "client_rejected" | "unsupported_grant_type" | "bad_response" | "unreachable" | "server_error";

const USER_MESSAGES: Record<OAuthFailure, string> = {
  invalid_request: "The Mattermost login came back incomplete. Please start the login again.",
  invalid_grant: "That Mattermost login has expired or was already used. Please log in again.",
  client_rejected: "Mattermost refused this bridge's app credentials. Please tell the bridge administrator.",
  unsupported_grant_type: "Mattermost refused the login request. Please tell the bridge administrator.",
  bad_response: "Mattermost sent an unexpected answer to the login. Please try again later.",
  unreachable: "Could not reach Mattermost to finish the login. Please try again later.",
  server_error: "Mattermost had a problem finishing the login. Please try again later.",
};

/** The token request failed. `reason` groups the cause; `errorId` is the server's AppError id if any. */
export class MattermostOAuthError extends MattermostError {
  constructor(
    readonly reason: OAuthFailure,
    readonly status: number | undefined,
    readonly errorId: string | undefined,
    logMessage: string,
  ) {
    super(logMessage, USER_MESSAGES[reason]);
  }
}

/** web/oauth.go getAccessToken's error ids, by what they mean to the caller. */
function failureFor(status: number, id: string | undefined): OAuthFailure {
  if (status >= 500) return "server_error";
  if (id?.endsWith(".bad_grant.app_error")) return "unsupported_grant_type";
  if (id && /\.(bad_client_id|bad_client_secret|credentials)\.app_error$/.test(id)) return "client_rejected";
  if (id && /\.(missing_code|missing_refresh_token)\.app_error$/.test(id)) return "invalid_request";
  if (status === 400 || status === 403) return "invalid_grant";
  return "bad_response";
}

export class MattermostOAuth {
  private readonly base: string;
  private readonly send: HttpSend;
  private readonly now: () => number;

  constructor(private readonly options: MattermostOAuthOptions) {
    this.base = options.serverUrl.replace(/\/+$/, "");
    this.send = options.fetch ? fromFetch(options.fetch) : httpSend;
    this.now = options.now ?? Date.now;
  }

  /** The URL to send the person's browser to; `state` comes back untouched on the redirect. Pure. */
  authorizeUrl(state: string): string {
    const q = new URLSearchParams({ response_type: "code", client_id: this.options.clientId, redirect_uri: this.options.redirectUri, state });
    return `${this.base}/oauth/authorize?${q}`;
  }

  /** Exchanges the redirect's `code` for tokens. Not retried: a code works once. Throws MattermostOAuthError. */
  exchangeCode(code: string): Promise<MattermostTokens> {
    return this.tokenRequest({ grant_type: "authorization_code", code, redirect_uri: this.options.redirectUri });
  }

  /**
   * Trades a refresh token for a new pair; the old access and refresh tokens stop working at once. Not retried:
   * if the answer is lost, the old pair may be dead already and the person must log in again.
   */
  refresh(refreshToken: string): Promise<MattermostTokens> {
    return this.tokenRequest({ grant_type: "refresh_token", refresh_token: refreshToken, redirect_uri: this.options.redirectUri });
  }

  /** True when the access token expires within `marginMs` (default 10 minutes): refresh before it does. */
  needsRefresh(tokens: MattermostTokens, marginMs = 10 * 60_000): boolean {
    return tokens.refreshToken !== undefined && tokens.expiresAt !== undefined && tokens.expiresAt - this.now() <= marginMs;
  }

  private async tokenRequest(fields: Record<string, string>): Promise<MattermostTokens> {
    const body = new URLSearchParams({ ...fields, client_id: this.options.clientId, client_secret: this.options.clientSecret }).toString();
    const secrets = [this.options.clientSecret, fields.code, fields.refresh_token];
    let status: number;
    let text: string;
    try {
      const res = await this.send(`${this.base}/oauth/access_token`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
        body,
        timeoutMs: this.options.timeoutMs ?? 30_000,
      });
      status = res.status;
      text = await res.text();
    } catch (err) {
      const why = redactAll(err instanceof Error ? err.message : String(err), secrets);
      throw new MattermostOAuthError("unreachable", undefined, undefined, `Mattermost token request failed: ${why}`);
    }
    if (status !== 200) {
      const { id } = parseAppError(text);
      const log = `Mattermost token request (${fields.grant_type}) refused: ${status} ${redactAll(text.slice(0, 300), secrets)}`;
      throw new MattermostOAuthError(failureFor(status, id), status, id, log);
    }
    return this.readTokens(text);
  }

  private readTokens(text: string): MattermostTokens {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new MattermostOAuthError("bad_response", 200, undefined, "Mattermost token response is not JSON");
    }
    if (!isRecord(value) || typeof value.access_token !== "string" || value.access_token === "") {
      throw new MattermostOAuthError("bad_response", 200, undefined, "Mattermost token response has no access_token");
    }
    if (typeof value.token_type !== "string" || value.token_type.toLowerCase() !== "bearer") {
      throw new MattermostOAuthError("bad_response", 200, undefined, "Mattermost token response's token_type is not bearer");
    }
    const refresh = typeof value.refresh_token === "string" && value.refresh_token !== "" ? value.refresh_token : undefined;
    const expiresIn = typeof value.expires_in === "number" && value.expires_in > 0 ? value.expires_in : undefined;
    return { accessToken: value.access_token, refreshToken: refresh, expiresAt: expiresIn === undefined ? undefined : this.now() + expiresIn * 1000 };
  }
}

function redactAll(text: string, secrets: (string | undefined)[]): string {
  return secrets.reduce<string>((t, s) => redactSecret(t, s), text);
}
