// The doctor's context on real parts: a homeserver client that tries each call once, the global fetch, TCP
// probes. Used by the command line and by the running bridge alike.
import net from "node:net";
import type { BridgeConfig } from "../config/types";
import type { Registration } from "../config/registration";
import { MatrixClient } from "../matrix/client";
import { MatrixIds } from "../matrix/ids";
import type { DoctorContext, MigrationState } from "./types";

export const PROBE_TIMEOUT_MS = 10_000;

export interface DoctorSetup {
  config: BridgeConfig;
  registration: Registration | null;
  registrationError?: string;
  migrationStatus(): Promise<MigrationState>;
  from: "cli" | "bridge";
  timeoutMs?: number;
}

export function createDoctorContext(setup: DoctorSetup): DoctorContext {
  const timeoutMs = setup.timeoutMs ?? PROBE_TIMEOUT_MS;
  const { config, registration } = setup;
  const botMxid = new MatrixIds({
    domain: config.homeserver.domain,
    botLocalpart: config.bridge.botLocalpart,
    ghostPrefix: config.bridge.ghostPrefix,
  }).botMxid;
  // One attempt per call: a doctor reports what it finds now rather than retrying for minutes.
  const homeserver = registration
    ? MatrixClient.connect({ homeserverUrl: config.homeserver.url, asToken: registration.as_token, userId: botMxid, maxAttempts: 1, timeoutMs })
    : null;
  return {
    config,
    registration,
    registrationError: setup.registrationError,
    homeserver,
    migrationStatus: setup.migrationStatus,
    fetch: (url, init) => fetch(url, init),
    isListening: (host, port) => isListening(host, port, timeoutMs),
    from: setup.from,
    timeoutMs,
  };
}

/** Secrets a report must never show: both tokens, the OAuth client secret, a database password. */
export function secretsOf(config: BridgeConfig, registration: Registration | null): string[] {
  const oauthSecret = config.network === "gitter" ? config.gitter.oauth.clientSecret : config.mattermost.oauth.clientSecret;
  const secrets = oauthSecret === undefined ? [] : [oauthSecret];
  if (registration) secrets.push(registration.as_token, registration.hs_token);
  const password = /^[a-z][a-z0-9+.-]*:\/\/[^:/@]*:([^@/]+)@/i.exec(config.database)?.[1];
  if (password) secrets.push(password, safeDecode(password));
  return secrets;
}

function isListening(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
