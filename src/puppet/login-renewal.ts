// Renewing logins whose tokens expire (Mattermost's OAuth gives expires_in and a refresh token; Gitter's tokens do
// not expire, and there is nothing to do). A watched login is renewed a margin before its token expires: the
// provider's refresh trades the refresh token for a new pair, stored sealed in place of the old one only while the
// old one is still the login (a logout or a new login meanwhile wins), and the session goes on with the new token.
// A refresh the network refuses is a dead login: the refresh token is forgotten and the session manager tells the
// user as for a revoked token. A refresh the network could not answer is tried again a minute later. On Mattermost
// the old pair dies as the refresh succeeds (server/channels/app/oauth.go newSessionUpdateToken): should the bridge
// stop between the answer and the store, the login is lost and the person is asked to log in again.
import type { LoginTokens } from "../network/types";
import { isNetworkError } from "../network/errors";
import type { Store } from "../store/store";
import { getLogger } from "../util/log";
import { sealedRenewal } from "./login";

const log = getLogger("login");

/** Renewed this long before the token expires. */
export const RENEW_MARGIN_MS = 10 * 60_000;
const RETRY_MS = 60_000;
/** setTimeout's longest delay; a timer set further out fires early and is set again. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

export interface RenewalDeps {
  store: Store;
  /** The network's OAuth refresh (the provider's `refresh`). */
  refresh(refreshToken: string): Promise<LoginTokens>;
  encrypt(token: string): string;
  decrypt(sealed: string): string;
  marginMs?: number;
  retryMs?: number;
  now?: () => number;
}

export interface RenewalHooks {
  /** The login was renewed: its session is to go on with `token` (stored as `sealed`). */
  renewed(token: string, sealed: string): Promise<void>;
  /** The network refused to renew the login: it is dead (its refresh token is forgotten). */
  dead(): void;
}

/** What the session manager asks of the renewal (see LoginRenewal). */
export interface SessionRenewal {
  watch(mxid: string, hooks: RenewalHooks): void;
  forget(mxid: string): void;
  renewNow(mxid: string): Promise<{ token: string; sealed: string } | null>;
}

type Outcome =
  | { kind: "renewed"; token: string; sealed: string }
  | { kind: "not-due"; expiresAt: number }
  | { kind: "refused" }
  | { kind: "failed" }
  /** Nothing to renew: no refresh token, or the login changed meanwhile. */
  | { kind: "none" };

interface Watch {
  hooks: RenewalHooks;
  timer?: NodeJS.Timeout;
}

export class LoginRenewal implements SessionRenewal {
  private readonly watches = new Map<string, Watch>();
  /** One refresh at a time per user: a second would spend the refresh token the first already rotated. */
  private readonly inFlight = new Map<string, Promise<Outcome>>();
  private readonly now: () => number;
  private readonly marginMs: number;

  constructor(private readonly deps: RenewalDeps) {
    this.now = deps.now ?? Date.now;
    this.marginMs = deps.marginMs ?? RENEW_MARGIN_MS;
  }

  /** Renews `mxid`'s stored login a margin before it expires, telling `hooks`; replaces an earlier watch. Never throws. */
  watch(mxid: string, hooks: RenewalHooks): void {
    this.forget(mxid);
    const w: Watch = { hooks };
    this.watches.set(mxid, w);
    void this.deps.store.users
      .getUser(mxid)
      .then((u) => {
        if (u?.refreshTokenCiphertext && u.tokenExpiresAt !== undefined) this.arm(mxid, w, u.tokenExpiresAt - this.marginMs - this.now());
      })
      .catch((err: Error) => log.error("could not plan a login's renewal", { mxid, error: err }));
  }

  forget(mxid: string): void {
    clearTimeout(this.watches.get(mxid)?.timer);
    this.watches.delete(mxid);
  }

  /**
   * Renews `mxid`'s login now, due or not (its token was refused: maybe expired). The new token, or null when
   * there is nothing to renew or the network refused (then the refresh token is forgotten). Never throws.
   */
  async renewNow(mxid: string): Promise<{ token: string; sealed: string } | null> {
    const outcome = await this.renew(mxid, true);
    return outcome.kind === "renewed" ? outcome : null;
  }

  private arm(mxid: string, w: Watch, delayMs: number): void {
    if (this.watches.get(mxid) !== w) return;
    w.timer = setTimeout(() => void this.fire(mxid, w), Math.min(Math.max(delayMs, 0), LONGEST_TIMER_MS));
    w.timer.unref();
  }

  private async fire(mxid: string, w: Watch): Promise<void> {
    const outcome = await this.renew(mxid, false);
    if (this.watches.get(mxid) !== w) return;
    if (outcome.kind === "renewed") await w.hooks.renewed(outcome.token, outcome.sealed).catch((err: Error) => log.error("could not go on with a renewed login", { mxid, error: err }));
    else if (outcome.kind === "refused") w.hooks.dead();
    else if (outcome.kind === "failed") this.arm(mxid, w, this.deps.retryMs ?? RETRY_MS);
    else if (outcome.kind === "not-due") this.arm(mxid, w, outcome.expiresAt - this.marginMs - this.now());
  }

  private renew(mxid: string, force: boolean): Promise<Outcome> {
    const running = this.inFlight.get(mxid);
    if (running) return running;
    const p = this.refresh(mxid, force)
      .catch((err: Error): Outcome => (log.error("could not renew a login", { mxid, error: err }), { kind: "failed" }))
      .finally(() => this.inFlight.delete(mxid));
    this.inFlight.set(mxid, p);
    return p;
  }

  private async refresh(mxid: string, force: boolean): Promise<Outcome> {
    const { store, encrypt } = this.deps;
    const user = await store.users.getUser(mxid);
    const previous = user?.tokenCiphertext;
    if (!previous || !user.refreshTokenCiphertext) return { kind: "none" };
    const expiresAt = user.tokenExpiresAt;
    if (!force && expiresAt !== undefined && expiresAt - this.now() > this.marginMs) return { kind: "not-due", expiresAt };
    let tokens: LoginTokens;
    try {
      tokens = await this.deps.refresh(this.deps.decrypt(user.refreshTokenCiphertext));
    } catch (err) {
      if (!isNetworkError(err) || err.transient) throw err;
      // Forgotten so that nothing asks with it again; the login's end is the session manager's to tell.
      await store.users.renewLogin(mxid, previous, { tokenCiphertext: previous });
      log.warn("the network refused to renew a login", { mxid, kind: err.kind });
      return { kind: "refused" };
    }
    const sealed = encrypt(tokens.accessToken);
    if (!(await store.users.renewLogin(mxid, previous, { tokenCiphertext: sealed, ...sealedRenewal(tokens, encrypt) }))) return { kind: "none" };
    log.info("login renewed", { mxid, expiresAt: tokens.expiresAt });
    return { kind: "renewed", token: tokens.accessToken, sealed };
  }
}
