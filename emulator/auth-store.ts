// OAuth apps, authorization codes and access tokens. One token per (user, client): a second grant returns the
// same token, as Gitter's access-token-provider did; a revoked token is never handed out again.
import { randomBytes } from "node:crypto";
import type { EmCode, EmOAuthApp, EmToken } from "./types";

const CODE_TTL_MS = 10 * 60 * 1000;

export function randomHex40(): string {
  return randomBytes(20).toString("hex");
}

export class AuthStore {
  private readonly apps = new Map<string, EmOAuthApp>();
  private readonly codes = new Map<string, EmCode>();
  private readonly tokens = new Map<string, EmToken>();
  private readonly byPair = new Map<string, EmToken>();

  /** The tokens, revoked ones included (codes live ten minutes: they are not kept). */
  dumpTokens(): EmToken[] {
    return [...this.tokens.values()].map((t) => ({ ...t }));
  }

  /** Puts dumped tokens back; the newest of each (user, client) is the one a new grant returns. */
  loadTokens(tokens: readonly EmToken[]): void {
    for (const t of tokens) {
      const record = { ...t };
      this.tokens.set(t.token, record);
      const key = `${t.userId}:${t.clientId}`;
      if (!t.revoked || !this.byPair.has(key)) this.byPair.set(key, record);
    }
  }

  addApp(app: EmOAuthApp): void {
    this.apps.set(app.clientId, { ...app });
  }

  getApp(clientId: string): EmOAuthApp | undefined {
    return this.apps.get(clientId);
  }

  issueCode(clientId: string, userId: string, redirectUri: string): string {
    const code = randomHex40();
    this.codes.set(code, { code, clientId, userId, redirectUri, expiresAt: Date.now() + CODE_TTL_MS });
    return code;
  }

  /** Single use: a code that matches is consumed. Undefined when unknown, expired, used or mismatched. */
  redeemCode(code: string, clientId: string, redirectUri: string | undefined): EmCode | undefined {
    const found = this.codes.get(code);
    if (!found || found.expiresAt < Date.now()) return undefined;
    if (found.clientId !== clientId || found.redirectUri !== redirectUri) return undefined;
    this.codes.delete(code);
    return found;
  }

  /** Finds or creates the live token of (user, client). `preset` fixes its value (fixture tokens). */
  tokenFor(userId: string, clientId: string, preset?: string): string {
    const key = `${userId}:${clientId}`;
    const existing = this.byPair.get(key);
    if (existing && !existing.revoked && (!preset || preset === existing.token)) return existing.token;
    const token = preset ?? randomHex40();
    const record: EmToken = { token, userId, clientId, revoked: false };
    this.tokens.set(token, record);
    this.byPair.set(key, record);
    return token;
  }

  /** The live token record, or undefined when unknown or revoked. */
  lookup(token: string): EmToken | undefined {
    const t = this.tokens.get(token);
    return t && !t.revoked ? t : undefined;
  }

  /** Returns the record that was revoked, or undefined when there was no live token. */
  revoke(token: string): EmToken | undefined {
    const t = this.lookup(token);
    if (!t) return undefined;
    t.revoked = true;
    return t;
  }
}
