// The bridge's Prometheus metrics: what flows (messages per direction, failures by reason, lag), what waits
// (queues, the transaction inbox, Gitter rate-limit waits) and who is connected. Counters are bumped by the
// parts that do the work through the small MessageMetrics port; gauges are read from their owners when
// Prometheus scrapes, so nothing is counted twice and an idle bridge costs nothing. Every label takes values from
// a bounded set the bridge defines: never a room or user id, never a string a homeserver or Gitter supplied.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { GitterApiError, GitterMaybeDeliveredError, GitterNetworkError, GitterTokenInvalidError } from "./gitter/errors";
import { MatrixApiError } from "./matrix/errors";
import { NetworkError } from "./network/errors";
import type { RateLimitWait } from "./network/types";
import type { Direction } from "./store/store";
import { VERSION } from "./version";

/** What a portal reports. Implementations never throw and never block. */
export interface MessageMetrics {
  /** One message bridged; `originMs` is when it was first sent (Gitter `sent`, Matrix origin_server_ts). */
  bridged(direction: Direction, originMs: number | undefined): void;
  /** One message not bridged; `reason` is a short fixed label (see failureReason). */
  failed(direction: Direction, reason: string): void;
  /** The network client held a request back for the rate limit. */
  rateLimitWait(wait: RateLimitWait): void;
}

/** What the bridge met of Matrix encryption, which it cannot read (see puppet/encryption.ts). */
export type EncryptedKind = "room_encrypted" | "message" | "direct_chat_refused" | "control_room_refused";
export const ENCRYPTED_KINDS: readonly EncryptedKind[] = ["room_encrypted", "message", "direct_chat_refused", "control_room_refused"];

/** Counts encryption the bridge met. Never throws, never blocks. */
export interface EncryptionMetrics {
  encrypted(kind: EncryptedKind): void;
}

/** For parts built without metrics (tests, tools). */
export const NO_METRICS: MessageMetrics = { bridged: () => undefined, failed: () => undefined, rateLimitWait: () => undefined };

/** Where the scrape-time gauges read from. Each may be called at any time; the async ones may reject. */
export interface MetricSources {
  /** Sessions by realtime connection state ("connected", "backing-off", ...). */
  sessionStates(): Map<string, number>;
  /** Watched Gitter rooms still catching up over REST after a (re)connect. */
  roomsCatchingUp(): number;
  /** Per-room depth of the named queues (a direction's portal queue; inbox: events from the homeserver). */
  queueDepths(): Record<string, Map<string, number>>;
  /** Unprocessed events in the transaction inbox (a database query). */
  inboxPending(): Promise<number>;
}

export interface BridgeMetricsOptions {
  /** Adds Node's process metrics (CPU, memory, event loop lag). Default true. */
  processMetrics?: boolean;
  now?: () => number;
}

const PREFIX = "gitter_bridge_";
const LAG_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

export class BridgeMetrics implements MessageMetrics, EncryptionMetrics {
  readonly registry = new Registry();
  private readonly messages: Counter<"direction">;
  private readonly failures: Counter<"direction" | "reason">;
  private readonly lag: Histogram<"direction">;
  private readonly waits: Counter<"reason">;
  private readonly waitSeconds: Counter<"reason">;
  private readonly encryptedEvents: Counter<"kind">;
  private readonly now: () => number;
  private sources: MetricSources | undefined;

  constructor(options: BridgeMetricsOptions = {}) {
    const registers = [this.registry];
    this.now = options.now ?? Date.now;
    this.messages = new Counter({ name: `${PREFIX}messages_total`, help: "Messages bridged, by direction", labelNames: ["direction"], registers });
    this.failures = new Counter({
      name: `${PREFIX}message_failures_total`,
      help: "Messages that could not be bridged, by direction and reason",
      labelNames: ["direction", "reason"],
      registers,
    });
    this.lag = new Histogram({
      name: `${PREFIX}message_lag_seconds`,
      help: "From the message's origin time (Gitter sent, Matrix origin_server_ts) until the other side accepted it",
      labelNames: ["direction"],
      buckets: LAG_BUCKETS,
      registers,
    });
    this.waits = new Counter({ name: `${PREFIX}gitter_rate_limit_waits_total`, help: "Gitter requests held back by the rate limit", labelNames: ["reason"], registers });
    this.waitSeconds = new Counter({ name: `${PREFIX}gitter_rate_limit_wait_seconds_total`, help: "Time Gitter requests spent waiting for the rate limit", labelNames: ["reason"], registers });
    for (const direction of ["gitter-to-matrix", "matrix-to-gitter"]) this.messages.inc({ direction }, 0);
    this.encryptedEvents = new Counter({
      name: `${PREFIX}encrypted_events_total`,
      help: "Encryption the bridge cannot read: rooms encrypted, encrypted messages not bridged, encrypted rooms refused",
      labelNames: ["kind"],
      registers,
    });
    for (const kind of ENCRYPTED_KINDS) this.encryptedEvents.inc({ kind }, 0);
    new Gauge({
      name: `${PREFIX}build_info`,
      help: "Always 1; the labels say which bridge version runs on which Node",
      labelNames: ["version", "node"],
      registers,
    }).set({ version: VERSION, node: process.version }, 1);
    this.scrapeGauges();
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  /** Connects the scrape-time gauges to their owners; until then they report nothing. */
  attach(sources: MetricSources): void {
    this.sources = sources;
  }

  bridged(direction: Direction, originMs: number | undefined): void {
    this.messages.inc({ direction });
    if (originMs !== undefined && Number.isFinite(originMs)) this.lag.observe({ direction }, Math.max(0, this.now() - originMs) / 1000);
  }

  failed(direction: Direction, reason: string): void {
    this.failures.inc({ direction, reason });
  }

  encrypted(kind: EncryptedKind): void {
    this.encryptedEvents.inc({ kind });
  }

  rateLimitWait(wait: RateLimitWait): void {
    this.waits.inc({ reason: wait.reason });
    this.waitSeconds.inc({ reason: wait.reason }, wait.waitMs / 1000);
  }

  /** The exposition text. May reject when a source's database query fails. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private scrapeGauges(): void {
    const registers = [this.registry];
    const source = () => this.sources;
    new Gauge({
      name: `${PREFIX}connected_users`,
      help: "Logged-in users whose Gitter realtime connection is up",
      registers,
      collect() {
        this.set(source()?.sessionStates().get("connected") ?? 0);
      },
    });
    new Gauge({
      name: `${PREFIX}sessions`,
      help: "Running user sessions by Gitter realtime connection state",
      labelNames: ["state"],
      registers,
      collect() {
        this.reset();
        for (const [state, n] of source()?.sessionStates() ?? []) this.set({ state }, n);
      },
    });
    new Gauge({
      name: `${PREFIX}rooms_catching_up`,
      help: "Watched Gitter rooms still fetching missed messages after a (re)connect",
      registers,
      collect() {
        this.set(source()?.roomsCatchingUp() ?? 0);
      },
    });
    this.queueGauges();
    new Gauge({
      name: `${PREFIX}inbox_pending_events`,
      help: "Homeserver events recorded in the transaction inbox and not yet handled",
      registers,
      async collect() {
        const s = source();
        if (s) this.set(await s.inboxPending());
      },
    });
  }

  private queueGauges(): void {
    const registers = [this.registry];
    const source = () => this.sources;
    new Gauge({
      name: `${PREFIX}queue_size`,
      help: "Tasks waiting or running, by queue",
      labelNames: ["queue"],
      registers,
      collect() {
        this.reset();
        for (const [queue, depths] of Object.entries(source()?.queueDepths() ?? {})) {
          let total = 0;
          for (const n of depths.values()) total += n;
          this.set({ queue }, total);
        }
      },
    });
    // One series per queue, not per room: room ids as label values would grow without bound and name rooms.
    new Gauge({
      name: `${PREFIX}queue_max_depth`,
      help: "Tasks waiting or running for the busiest room, by queue",
      labelNames: ["queue"],
      registers,
      collect() {
        this.reset();
        for (const [queue, depths] of Object.entries(source()?.queueDepths() ?? {})) this.set({ queue }, Math.max(0, ...depths.values()));
      },
    });
    new Gauge({
      name: `${PREFIX}queue_busy_rooms`,
      help: "Rooms with tasks waiting or running, by queue",
      labelNames: ["queue"],
      registers,
      collect() {
        this.reset();
        for (const [queue, depths] of Object.entries(source()?.queueDepths() ?? {})) this.set({ queue }, depths.size);
      },
    });
  }
}

/** The errcodes of the Matrix spec (and the bridge's own for no answer); any other becomes `matrix_other`. */
const KNOWN_ERRCODES = new Set([
  "M_FORBIDDEN", "M_UNKNOWN_TOKEN", "M_MISSING_TOKEN", "M_BAD_JSON", "M_NOT_JSON", "M_NOT_FOUND", "M_LIMIT_EXCEEDED",
  "M_UNRECOGNIZED", "M_UNKNOWN", "M_UNAUTHORIZED", "M_USER_DEACTIVATED", "M_USER_IN_USE", "M_INVALID_USERNAME",
  "M_ROOM_IN_USE", "M_INVALID_ROOM_STATE", "M_EXCLUSIVE", "M_TOO_LARGE", "M_MISSING_PARAM", "M_INVALID_PARAM",
  "M_GUEST_ACCESS_FORBIDDEN", "M_RESOURCE_LIMIT_EXCEEDED", "M_CANNOT_LEAVE_SERVER_NOTICE_ROOM", "M_INCOMPATIBLE_ROOM_VERSION",
  "M_BAD_STATE", "M_SERVER_NOT_TRUSTED", "M_UNSUPPORTED_ROOM_VERSION", "M_BAD_ALIAS", "M_NOT_YET_UPLOADED",
  "M_WRONG_ROOM_KEYS_VERSION", "M_THREEPID_IN_USE", "M_CONNECTION_FAILED",
]);

/**
 * A short, bounded label for why bridging failed (never ids or free text). A network's error is labelled by the
 * client error under it where that has a label (so Gitter's stay as they were), else by its kind.
 */
export function failureReason(err: unknown): string {
  if (err instanceof NetworkError) {
    const under = err.cause === undefined ? "internal" : failureReason(err.cause);
    return under === "internal" ? `network_${err.kind.replace(/-/g, "_")}` : under;
  }
  if (err instanceof MatrixApiError) return `matrix_${KNOWN_ERRCODES.has(err.errcode) ? err.errcode : "other"}`;
  if (err instanceof GitterMaybeDeliveredError) return "gitter_maybe_delivered";
  if (err instanceof GitterTokenInvalidError) return "gitter_token_invalid";
  if (err instanceof GitterApiError) return Number.isInteger(err.status) && err.status >= 100 && err.status <= 599 ? `gitter_http_${err.status}` : "gitter_http_other";
  if (err instanceof GitterNetworkError) return "gitter_unreachable";
  return "internal";
}
