// Logging in with a personal access token the user sends to the bot (the connector's "token" login flow), for
// servers without an OAuth provider. The network is asked who the token belongs to (connect); a token it takes is
// sealed and stored as the user's login, replacing any earlier one. The token is never logged, echoed, or put into
// an error's message: a failure is told by its kind alone. The message carrying it is removed by the control room
// (commands `secret`) before this is called.
import type { TokenLoginResult } from "../commands/types";
import type { NetworkConnector } from "../network/connector";
import { isNetworkError } from "../network/errors";
import type { NetworkUser } from "../network/types";
import type { Store } from "../store/store";
import { getLogger } from "../util/log";

const log = getLogger("login");

export interface TokenLoginDeps {
  store: Store;
  network: NetworkConnector;
  encrypt(token: string): string;
}

export class TokenLogin {
  constructor(private readonly deps: TokenLoginDeps) {}

  /** Whether the network offers the personal token flow. */
  get offered(): boolean {
    return this.deps.network.loginFlows.some((f) => f.kind === "token");
  }

  /**
   * Checks `typed` with the network and stores it sealed as `mxid`'s login when the network takes it; the caller
   * starts the session. Rejects only for the bridge's own failures (the store), never with the token in the error.
   */
  async login(mxid: string, typed: string): Promise<TokenLoginResult> {
    const network = this.deps.network.displayName;
    if (!this.offered) return { kind: "not-offered", network };
    const token = typed.trim();
    let self: NetworkUser;
    try {
      self = (await this.deps.network.connect(token)).self;
    } catch (err) {
      return this.refusal(mxid, err);
    }
    await this.deps.store.users.setLogin(mxid, { gitterUserId: self.id, gitterUsername: self.username, tokenCiphertext: this.deps.encrypt(token) });
    // An approval still waiting for its code would replace this login once the code came: it goes.
    await this.deps.store.pendingLogins.discardPendingLogin(mxid);
    log.info("logged in with a personal token", { mxid, networkUser: self.username });
    return { kind: "logged-in", network, username: self.username };
  }

  /** What a failed check tells the person. Only the error's kind is logged: its text might quote the request. */
  private refusal(mxid: string, err: unknown): TokenLoginResult {
    const network = this.deps.network.displayName;
    if (!isNetworkError(err)) {
      log.error("checking a personal token failed", { mxid, errorName: err instanceof Error ? err.name : typeof err });
      throw new Error("checking a personal token failed on the bridge's side");
    }
    log.info("personal token not taken", { mxid, kind: err.kind });
    return err.transient ? { kind: "unavailable", network } : { kind: "refused", network };
  }
}
