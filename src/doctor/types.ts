// What a doctor check sees and what it reports. Checks reach the outside world only through this context, so
// tests give them doubles, and the CLI and the running bridge give them the real thing.
import type { BridgeConfig } from "../config/types";
import type { Registration } from "../config/registration";

export interface CheckResult {
  /** Short, stable, what was checked ("bridge reaches the homeserver"). */
  name: string;
  ok: boolean;
  /** What was found. Never holds a token. */
  detail: string;
  /** What to do about it; set on failures. */
  hint?: string;
}

/** The homeserver calls the checks make, acting as the bridge bot with the as_token. May throw MatrixApiError. */
export interface HomeserverProbe {
  whoami(): Promise<{ user_id: string }>;
  ping(appserviceId: string, transactionId?: string): Promise<{ durationMs: number }>;
}

export interface MigrationState {
  current: boolean;
  applied: string[];
  pending: string[];
}

/** A `fetch` with the same contract as the global one; checks pass a timeout signal. */
export type Fetch = (url: string, init?: RequestInit) => Promise<Response>;

export interface DoctorContext {
  config: BridgeConfig;
  /** Null when the registration file could not be read; `registrationError` says why. */
  registration: Registration | null;
  registrationError?: string;
  /** Null when there is no registration (no as_token to call with). */
  homeserver: HomeserverProbe | null;
  /** May reject when the database is unreachable. */
  migrationStatus(): Promise<MigrationState>;
  fetch: Fetch;
  /** Whether something accepts TCP connections at host:port. Never throws. */
  isListening(host: string, port: number): Promise<boolean>;
  /** "cli" when run beside a bridge that may not be running; "bridge" when run by the bridge itself. */
  from: "cli" | "bridge";
  /** Per-request timeout for HTTP probes. */
  timeoutMs: number;
}

/** One check. Should not throw; the runner turns a throw into a failed result anyway. */
export type Check = (ctx: DoctorContext) => Promise<CheckResult>;
