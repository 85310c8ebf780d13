// OAuth2 authorization-code client for logging a person in to Gitter (API reference 1.1).
// Gitter's quirks: client credentials only in the body (HTTP Basic is not accepted), JSON only when asked
// with Accept: application/json, token_type spelled in any case, no expiry and no refresh token.
// Neither the client secret nor a token is ever logged or put into an error message.

import { AuthorizationCode, type ModuleOptions } from "simple-oauth2";
import { GitterError, redactSecret } from "./errors";

export interface GitterOAuthOptions {
  /** Web host, e.g. https://gitter.im; the /login/oauth/... paths are resolved under it. */
  oauthUrl: string;
  clientId: string;
  clientSecret: string;
  /** Must equal the single redirect URI registered for the app, character for character. */
  redirectUri: string;
  /** Timeout of the token request, in ms. */
  timeoutMs?: number;
}

export type OAuthFailure =
  | "invalid_request"
  | "invalid_grant"
  | "client_rejected"
  | "unsupported_grant_type"
  | "bad_response"
  | "unreachable"
  | "server_error";

/** The code exchange failed. `reason` groups the cause; `oauthError` is Gitter's `error` field if any. */
export class GitterOAuthError extends GitterError {
  constructor(
    readonly reason: OAuthFailure,
    readonly status: number | undefined,
    readonly oauthError: string | undefined,
    logMessage: string,
  ) {
    super(logMessage, USER_MESSAGES[reason]);
  }

  override get transient(): boolean {
    return this.reason === "unreachable" || this.reason === "server_error";
  }

  /** A code works once: starting the login again is the person's to do. */
  override get worthWaitingOut(): boolean {
    return false;
  }

  override get answerStatus(): number | undefined {
    return this.status;
  }
}

const USER_MESSAGES: Record<OAuthFailure, string> = {
  invalid_request: "The Gitter login came back incomplete. Please start the login again.",
  invalid_grant: "That Gitter login has expired or was already used. Please start the login again.",
  client_rejected: "Gitter refused this bridge's app credentials. Please tell the bridge administrator.",
  unsupported_grant_type: "Gitter refused the login request. Please tell the bridge administrator.",
  bad_response: "Gitter sent an unexpected answer to the login. Please try again later.",
  unreachable: "Could not reach Gitter to finish the login. Please try again later.",
  server_error: "Gitter had a problem finishing the login. Please try again later.",
};

/** Shape of the errors @hapi/wreck (under simple-oauth2) throws; only the fields we read. */
interface WreckError {
  isBoom?: boolean;
  message?: string;
  output?: { statusCode?: number };
  data?: { isResponseError?: boolean; payload?: unknown } | null;
}

export class GitterOAuth {
  private readonly client: AuthorizationCode;
  private readonly options: GitterOAuthOptions;

  /** Throws GitterOAuthError (never showing the secret) if the options are malformed. */
  constructor(options: GitterOAuthOptions) {
    this.options = options;
    const authorize = endpoint(options.oauthUrl, "login/oauth/authorize");
    const token = endpoint(options.oauthUrl, "login/oauth/token");
    const config: ModuleOptions = {
      client: { id: options.clientId, secret: options.clientSecret },
      auth: { tokenHost: token.origin, tokenPath: token.pathname, authorizeHost: authorize.origin, authorizePath: authorize.pathname },
      http: { headers: { accept: "application/json" }, timeout: options.timeoutMs ?? 30_000 },
      options: { authorizationMethod: "body", bodyFormat: "form" },
    };
    try {
      this.client = new AuthorizationCode(config);
    } catch (err) {
      // simple-oauth2's validation messages quote the offending value, which may be the secret.
      const text = redactSecret(err instanceof Error ? err.message : String(err), options.clientSecret);
      throw new GitterOAuthError("client_rejected", undefined, undefined, `Invalid Gitter OAuth settings: ${text}`);
    }
  }

  /** The URL to send the person's browser to. `state` comes back untouched on the redirect. Pure. */
  authorizeUrl(state: string): string {
    return this.client.authorizeURL({ redirect_uri: this.options.redirectUri, state });
  }

  /**
   * Exchanges the `code` from the redirect for the person's access token. Not retried: a code works once.
   * Throws GitterOAuthError: invalid_grant (bad, used or redirect-mismatched code), client_rejected, ...
   */
  async exchangeCode(code: string): Promise<string> {
    let token: Record<string, unknown>;
    try {
      const result = await this.client.getToken({ code, redirect_uri: this.options.redirectUri });
      token = result.token;
    } catch (err) {
      throw this.describeFailure(err as WreckError);
    }
    const accessToken = token.access_token;
    const tokenType = token.token_type;
    if (typeof accessToken !== "string" || accessToken === "") {
      throw new GitterOAuthError("bad_response", 200, undefined, "Gitter token response has no access_token");
    }
    if (typeof tokenType !== "string" || tokenType.toLowerCase() !== "bearer") {
      const shown = typeof tokenType === "string" ? tokenType.slice(0, 20) : typeof tokenType;
      throw new GitterOAuthError("bad_response", 200, undefined, `Gitter token response has token_type ${shown}, not bearer`);
    }
    return accessToken;
  }

  private describeFailure(err: WreckError): GitterOAuthError {
    if (!err?.isBoom || !err.data?.isResponseError) {
      const text = this.redact(err?.message ?? String(err));
      return new GitterOAuthError("unreachable", undefined, undefined, `Gitter token request failed: ${text}`);
    }
    const status = err.output?.statusCode ?? 0;
    const { error, description } = readOAuthBody(err.data.payload);
    const log = this.redact(`Gitter token request refused: ${status} ${error ?? ""} ${description ?? ""}`.trim());
    return new GitterOAuthError(failureFor(status, error), status, error, log);
  }

  private redact(text: string): string {
    return redactSecret(text, this.options.clientSecret);
  }
}

function failureFor(status: number, error: string | undefined): OAuthFailure {
  if (error === "invalid_grant" || (status === 403 && !error)) return "invalid_grant";
  if (error === "invalid_request") return "invalid_request";
  if (error === "unsupported_grant_type") return "unsupported_grant_type";
  if (status === 401 || error === "invalid_client" || error === "unauthorized_client") return "client_rejected";
  if (status >= 500) return "server_error";
  return status === 403 ? "invalid_grant" : "bad_response";
}

function readOAuthBody(payload: unknown): { error?: string; description?: string } {
  let body = payload;
  if (Buffer.isBuffer(body)) body = body.toString("utf8");
  if (typeof body === "string") {
    try {
      body = JSON.parse(body);
    } catch {
      return {};
    }
  }
  if (!body || typeof body !== "object") return {};
  const { error, error_description } = body as { error?: unknown; error_description?: unknown };
  return {
    error: typeof error === "string" ? error.slice(0, 100) : undefined,
    description: typeof error_description === "string" ? error_description.slice(0, 200) : undefined,
  };
}

function endpoint(base: string, relative: string): URL {
  return new URL(relative, base.endsWith("/") ? base : base + "/");
}
