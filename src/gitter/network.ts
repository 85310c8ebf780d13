// Gitter as a network of the network interface (src/network): the connector, which offers the login flows and makes
// a per-user client (./network-client) over the Gitter REST client (./rest) and realtime client (./realtime, through
// ./network-realtime). The connector's clients share one gate on REST requests and one on realtime connects.
import type { Capabilities, GhostIdRules, LoginFlow, NetworkClient, NetworkConnector } from "../network/connector";
import type { NetworkUser, RateLimitWait } from "../network/types";
import { Gate } from "../util/gate";
import { GitterOAuth, type GitterOAuthOptions } from "./oauth";
import { GITTER_PROFILE, GitterNetworkClient } from "./network-client";
import { guarded, toUser } from "./network-convert";
import { GitterRestClient, type GitterRestClientOptions } from "./rest";
import type { RequestGate } from "./rest-transport";
import { isObjectId } from "./validate";

export { GITTER_PROFILE, GitterNetworkClient } from "./network-client";

export interface GitterNetworkOptions {
  /** e.g. https://api.gitter.im */
  apiUrl: string;
  /** e.g. https://ws.gitter.im/bayeux */
  fayeUrl: string;
  /** Offered as the OAuth login flow when given. */
  oauth?: GitterOAuthOptions;
  /** Passed on to every REST client (retry policy, limiter, gate, fetch). */
  rest?: Omit<GitterRestClientOptions, "apiUrl" | "token" | "userId">;
  /** Passed on to every realtime client (liveness, backoff, connect gate). */
  realtime?: { livenessTimeoutMs?: number; backoff?: { baseMs: number; maxMs: number }; connectGate?: RequestGate };
  /** Told of every request a client held back for the rate limit (the bridge's metrics). Must not throw. */
  onRateLimitWait?: (wait: RateLimitWait) => void;
}

/**
 * Realtime clients handshaking and subscribing at once, all the connector's clients together, unless
 * `realtime.connectGate` is given: a restart connects every user's session.
 */
const CONNECTING_AT_ONCE = 32;

/**
 * Gitter REST requests in flight at once, all the connector's clients together, unless `rest.gate` is given: a
 * restart catches up every room of every user.
 */
const REQUESTS_IN_FLIGHT = 64;

const CAPABILITIES: Capabilities = { threads: true, reactions: false, typing: false, files: false, keyedSendWindowMs: 0 };

export const GITTER_IDS: GhostIdRules = {
  defaultPrefix: "gitter_",
  ghostName: (user) => user.username,
  isUserId: isObjectId,
  isRoomId: isObjectId,
};

export class GitterConnector implements NetworkConnector {
  readonly name = GITTER_PROFILE.name;
  readonly displayName = GITTER_PROFILE.displayName;
  readonly webUrl = GITTER_PROFILE.webUrl;
  readonly converter = GITTER_PROFILE.converter;
  readonly terms = GITTER_PROFILE.terms;
  readonly capabilities = CAPABILITIES;
  readonly ids = GITTER_IDS;
  readonly loginFlows: readonly LoginFlow[];
  private readonly gate: NonNullable<GitterRestClientOptions["gate"]>;
  private readonly clientOptions: GitterNetworkOptions;

  constructor(private readonly options: GitterNetworkOptions) {
    this.gate = options.rest?.gate ?? new Gate(REQUESTS_IN_FLIGHT);
    const connectGate = options.realtime?.connectGate ?? new Gate(CONNECTING_AT_ONCE);
    this.clientOptions = { ...options, realtime: { ...options.realtime, connectGate } };
    const flows: LoginFlow[] = [];
    if (options.oauth) {
      const oauth = new GitterOAuth(options.oauth);
      flows.push({
        kind: "oauth",
        provider: {
          authorizeUrl: (state) => oauth.authorizeUrl(state),
          exchangeCode: async (code) => ({ accessToken: await guarded(() => oauth.exchangeCode(code)) }),
        },
      });
    }
    this.loginFlows = flows;
  }

  async connect(token: string): Promise<NetworkClient> {
    const rest = this.restClient(token);
    const me = await guarded(() => rest.getCurrentUser());
    return new GitterNetworkClient(rest, toUser(me), { ...this.clientOptions, token });
  }

  /** The user's id goes to the REST client too: the paths that name the user need no who-am-I either. */
  resume(token: string, self: NetworkUser): NetworkClient {
    return new GitterNetworkClient(this.restClient(token, self.id), self, { ...this.clientOptions, token });
  }

  /** One REST client per client made: its rate limiter is the token's one budget (100 requests a minute). */
  private restClient(token: string, userId?: string): GitterRestClient {
    const rest = new GitterRestClient({ ...this.options.rest, gate: this.gate, apiUrl: this.options.apiUrl, token, userId });
    const told = this.options.onRateLimitWait;
    if (told) rest.limiter.onWait(({ reason, waitMs }) => told({ reason, waitMs }));
    return rest;
  }
}

