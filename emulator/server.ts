// Starts an emulator in process: `startEmulator` returns its URL, its state and a `stop()` that closes
// everything (realtime transports included). Tests, the demo and the CLI (main.ts) all go through here.
import http from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { mountEmulator } from "./app";
import { attachFaye } from "./faye";
import { applyFixture, loadFixture, validateFixture, type FixtureData } from "./fixture";
import { applyApps } from "./fixture-apply";
import { restoreSnapshot, takeSnapshot, type Snapshot } from "./snapshot";
import { keepWorld, readWorldFile } from "./world-file";
import { RateLimiter } from "./rate-limit";
import { EmulatorState } from "./state";
import { startStreamServer } from "./stream";

export interface EmulatorOptions {
  /** 0 or absent: an ephemeral port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** A YAML file path, or fixture data built in code (validated the same way). */
  fixture: string | FixtureData;
  /** Mount the control API at /_emulator (off by default, as it is not part of Gitter). */
  control?: boolean;
  /** Keep-alive interval of the realtime transports. */
  heartbeatMs?: number;
  /** Port of the HTTP streaming listener (Gitter's stream host is a separate host); 0 or absent: ephemeral. */
  streamPort?: number;
  /** Requests per 60 s window per (user, client). Default 100. */
  rateLimit?: number;
  /** Default 600. */
  editWindowSeconds?: number;
  /** Base URL clients reach the emulator at, if not the listening address (used in avatar URLs). */
  publicUrl?: string;
  /**
   * Keep the world in this JSON file: restored from it at start when it exists (the fixture then gives only
   * the OAuth apps), written every couple of seconds when something changed, and at stop.
   */
  stateFile?: string;
  /** Replaces the redirect URI of every OAuth app of the fixture (e.g. the bridge's <publicUrl>/oauth/callback). */
  oauthRedirectUri?: string;
}

export interface RunningEmulator {
  url: string;
  /** Base URL of the HTTP streaming host: `${streamUrl}/v1/rooms/:roomId/chatMessages`. */
  streamUrl: string;
  state: EmulatorState;
  server: http.Server;
  limiter: RateLimiter;
  /** Live Faye clients per user id: how many realtime connections each user holds. */
  fayeClientsPerUser(): Map<string, number>;
  /** Closes realtime connections and the HTTP server. Safe to call twice. */
  stop(): Promise<void>;
}

type Closer = () => void | Promise<void>;

function listen(server: http.Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** Throws FixtureError for a bad fixture and the listen error (e.g. EADDRINUSE) when the port is taken. */
export async function startEmulator(opts: EmulatorOptions): Promise<RunningEmulator> {
  const data = typeof opts.fixture === "string" ? loadFixture(opts.fixture) : validateFixture(opts.fixture);
  if (opts.oauthRedirectUri !== undefined) {
    data.oauthApps = (data.oauthApps ?? []).map((app) => ({ ...app, redirectUri: opts.oauthRedirectUri! }));
  }
  const state = new EmulatorState({ editWindowSeconds: opts.editWindowSeconds });
  const saved = opts.stateFile ? readWorldFile<Snapshot>(opts.stateFile) : undefined;
  if (saved) {
    restoreSnapshot(state, saved);
    applyApps(state, data);
  } else {
    applyFixture(state, data);
  }
  const limiter = new RateLimiter(opts.rateLimit ?? 100);
  const app = express();
  const server = http.createServer(app);
  const closers: Closer[] = [];

  // ---- Realtime transports attach here (Faye at /bayeux and /faye, HTTP stream). ----
  // They come before the REST routes so they may claim their paths first; each pushes its shutdown onto
  // `closers`, which stop() runs before closing the HTTP server. `opts.heartbeatMs` is theirs to use.
  const heartbeatMs = opts.heartbeatMs ?? 15000;
  const faye = attachFaye(server, state, { pingSec: Math.max(1, Math.round(heartbeatMs / 1000)) });
  closers.push(() => faye.close());
  const stream = await startStreamServer(state, { port: opts.streamPort, host: opts.host, heartbeatMs });
  closers.push(() => stream.stop());
  // ---- end of realtime transports ----

  mountEmulator(app, state, limiter, { control: opts.control ?? false });
  const host = opts.host ?? "127.0.0.1";
  const address = await listen(server, opts.port ?? 0, host);
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${address.port}`;
  state.publicUrl = (opts.publicUrl ?? url).replace(/\/+$/, "");

  if (opts.stateFile) closers.push(keepWorld(() => takeSnapshot(state), opts.stateFile));

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      for (const close of closers.reverse()) await close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      state.removeAllListeners();
    })();
    return stopping;
  };
  return { url, streamUrl: stream.url, state, server, limiter, fayeClientsPerUser: () => faye.clientsPerUser(), stop };
}
