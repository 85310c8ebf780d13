// Mattermost as a network of the network interface (src/network): the connector, which offers the login flows (OAuth
// when configured, the personal token always) and makes a per-user client (./network-client) over the REST client
// (./rest) and the websocket (through ./network-realtime).
import type { Capabilities, GhostIdRules, LoginFlow, NetworkClient, NetworkConnector } from "../network/connector";
import type { NetworkTerms } from "../network/terms";
import type { NetworkUser, RateLimitWait } from "../network/types";
import { isMmId } from "./validate";
import { MATTERMOST_CONVERTER } from "./message-converter";
import { MattermostNetworkClient, mattermostProfile } from "./network-client";
import { MATTERMOST, guarded, toUser } from "./network-convert";
import { MattermostOAuth, type MattermostOAuthOptions, type MattermostTokens } from "./oauth";
import { MattermostRateLimiter } from "./rate-limit";
import { MattermostClient } from "./rest";
import type { TransportOptions } from "./transport";
import type { MattermostWebsocketOptions } from "./websocket";

export { MattermostNetworkClient } from "./network-client";

/** server/channels/app/post.go pendingPostIDsCacheTTL, less the margin the client keeps (transport.ts). */
const PENDING_POST_WINDOW_MS = 25_000;

export interface MattermostNetworkOptions {
  /** e.g. https://chat.example.com */
  serverUrl: string;
  /** Offered as the OAuth login flow when given; the personal token flow is always offered. */
  oauth?: Omit<MattermostOAuthOptions, "serverUrl">;
  /** Passed on to every REST client (retry policy, limiter, fetch). */
  rest?: Omit<TransportOptions, "serverUrl" | "token">;
  /** Passed on to every websocket (backoff, ping interval). */
  websocket?: Omit<MattermostWebsocketOptions, "serverUrl" | "token">;
  /** Told of every request a client held back for the rate limit (the bridge's metrics). Must not throw. */
  onRateLimitWait?: (wait: RateLimitWait) => void;
}

const CAPABILITIES: Capabilities = { threads: true, reactions: true, typing: true, files: true, userSearch: true, keyedSendWindowMs: PENDING_POST_WINDOW_MS };

export const MATTERMOST_IDS: GhostIdRules = {
  defaultPrefix: "mattermost_",
  ghostName: (user) => user.username,
  isUserId: isMmId,
  isRoomId: isMmId,
};

export class MattermostConnector implements NetworkConnector {
  readonly name = "mattermost";
  readonly displayName = MATTERMOST;
  readonly converter = MATTERMOST_CONVERTER;
  readonly webUrl: string;
  readonly terms: NetworkTerms;
  readonly capabilities = CAPABILITIES;
  readonly ids = MATTERMOST_IDS;
  readonly loginFlows: readonly LoginFlow[];

  constructor(private readonly options: MattermostNetworkOptions) {
    ({ webUrl: this.webUrl, terms: this.terms } = mattermostProfile(options.serverUrl));
    const flows: LoginFlow[] = [];
    if (options.oauth) {
      const oauth = new MattermostOAuth({ ...options.oauth, serverUrl: options.serverUrl });
      const tokens = async (p: Promise<MattermostTokens>) => {
        const t = await guarded(() => p);
        return { accessToken: t.accessToken, ...(t.refreshToken ? { refreshToken: t.refreshToken } : {}), ...(t.expiresAt ? { expiresAt: t.expiresAt } : {}) };
      };
      flows.push({
        kind: "oauth",
        provider: {
          authorizeUrl: (state) => oauth.authorizeUrl(state),
          exchangeCode: (code) => tokens(oauth.exchangeCode(code)),
          refresh: (refreshToken) => tokens(oauth.refresh(refreshToken)),
        },
      });
    }
    flows.push({ kind: "token" });
    this.loginFlows = flows;
  }

  async connect(token: string): Promise<NetworkClient> {
    const rest = this.restClient(token);
    const me = await guarded(() => rest.me());
    return new MattermostNetworkClient(rest, toUser(me), { ...this.options, token });
  }

  resume(token: string, self: NetworkUser): NetworkClient {
    return new MattermostNetworkClient(this.restClient(token), self, { ...this.options, token });
  }

  /** One REST client per client made, with its own limiter (a 429 of the token waits every request of it). */
  private restClient(token: string): MattermostClient {
    const limiter = this.options.rest?.limiter ?? new MattermostRateLimiter();
    const told = this.options.onRateLimitWait;
    // Every Mattermost wait follows a 429: the server keeps the budget, the client does not count it.
    if (told) limiter.onWait(({ waitMs }) => told({ reason: "throttled", waitMs }));
    return new MattermostClient({ ...this.options.rest, limiter, serverUrl: this.options.serverUrl, token });
  }
}

