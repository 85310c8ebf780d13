// Starts a Mattermost emulator in process: `startMattermostEmulator` returns its URL, state and a `stop()`.
// Tests, demos and the CLI (main.ts) all go through here.
import http from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { mountApp } from "./app";
import { FaultPlan } from "./faults";
import { keepWorld, readWorldFile } from "../world-file";
import { applyApps, applyFixture, loadFixture, validateFixture, type FixtureData } from "./fixture";
import { DEFAULT_OAUTH_TOKEN_SECONDS, OAuthStore } from "./oauth-store";
import { GcraLimiter } from "./ratelimit";
import { restoreMmSnapshot, takeMmSnapshot, type MmSnapshot } from "./snapshot";
import { MmState } from "./state";
import { attachWebsocket } from "./websocket";
import { Hub } from "./ws-hub";

export interface MmEmulatorOptions {
  /** 0 or absent: an ephemeral port. */
  port?: number;
  host?: string;
  /** A YAML file, or fixture data built in code. */
  fixture: string | FixtureData;
  /** Mount /_emulator (off by default: not part of Mattermost). */
  control?: boolean;
  /** RateLimitSettings: PerSec (default 10) and MaxBurst (default 100); rateLimit false turns it off. */
  rateLimit?: boolean;
  ratePerSec?: number;
  rateBurst?: number;
  /** Lifetime of OAuth access tokens (default 720 h, SessionLengthSSOInHours). */
  oauthTokenSeconds?: number;
  /** Replaces the redirect URI of every OAuth app of the fixture. */
  oauthRedirectUri?: string;
  publicUrl?: string;
  /** Keeps the world in this JSON file: read at start when it exists (the fixture then gives only the OAuth apps). */
  stateFile?: string;
}

export interface RunningMmEmulator {
  url: string;
  state: MmState;
  hub: Hub;
  limiter: GcraLimiter;
  oauth: OAuthStore;
  server: http.Server;
  stop(): Promise<void>;
}

function clearState(state: MmState): void {
  for (const m of [state.users, state.teams, state.teamMembers, state.channels, state.members, state.posts, state.files, state.sessions, state.apps, state.pendingPosts]) m.clear();
  state.reactions = [];
}

export async function startMattermostEmulator(opts: MmEmulatorOptions): Promise<RunningMmEmulator> {
  const data = typeof opts.fixture === "string" ? loadFixture(opts.fixture) : validateFixture(opts.fixture);
  if (opts.oauthRedirectUri) data.oauthApps = (data.oauthApps ?? []).map((a) => ({ ...a, redirectUri: opts.oauthRedirectUri! }));
  const state = new MmState();
  const oauth = new OAuthStore(state, opts.oauthTokenSeconds ?? DEFAULT_OAUTH_TOKEN_SECONDS);
  const saved = opts.stateFile ? readWorldFile<MmSnapshot>(opts.stateFile) : undefined;
  if (saved) restoreMmSnapshot(state, oauth, saved);
  (saved ? applyApps : applyFixture)(state, data);
  const limiter = new GcraLimiter(opts.ratePerSec ?? 10, opts.rateBurst ?? 100, opts.rateLimit ?? true);
  const hub = new Hub(state);
  const app = express();
  const server = http.createServer(app);
  const reset = () => {
    hub.cut(undefined, true);
    clearState(state);
    applyFixture(state, data);
    limiter.configure(limiter.perSec, limiter.burst, limiter.enabled);
  };
  mountApp(app, { state, limiter, faults: new FaultPlan(), oauth, hub, reset }, opts.control ?? false);
  const closeWs = attachWebsocket(server, state, hub);
  const host = opts.host ?? "127.0.0.1";
  const address = await new Promise<AddressInfo>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => resolve(server.address() as AddressInfo));
  });
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${address.port}`;
  state.publicUrl = (opts.publicUrl ?? url).replace(/\/+$/, "");
  const closeWorld = opts.stateFile ? keepWorld(() => takeMmSnapshot(state, oauth), opts.stateFile) : undefined;
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= new Promise<void>((resolve) => {
      closeWorld?.();
      closeWs();
      server.close(() => resolve());
      server.closeAllConnections();
      state.removeAllListeners();
    });
    return stopping;
  };
  return { url, state, hub, limiter, oauth, server, stop };
}
