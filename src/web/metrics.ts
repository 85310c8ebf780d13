// Operations endpoints on the bridge's web server: `/metrics` for Prometheus and `/ready` for orchestrators.
// `/health` (in app.ts) only says the process answers; `/ready` says it can do its work: the database and the
// homeserver both answer, each within a deadline so a hung dependency cannot hang the probe.
import type express from "express";
import { getLogger } from "../util/log";

const log = getLogger("web.ops");

/** One dependency check: resolves when the dependency answered, rejects (or outlives the deadline) when not. */
export type Probe = () => Promise<unknown>;

export interface ReadinessOptions {
  probes: Record<string, Probe>;
  /** Longest wait for one probe (default 5 s). */
  timeoutMs?: number;
}

export interface ProbeResult {
  ok: boolean;
  ms: number;
  /** Why it failed; the error's message only, which never carries a token. */
  error?: string;
}

export interface Readiness {
  ready: boolean;
  checks: Record<string, ProbeResult>;
}

/** Runs every probe at once. Never rejects. */
export async function checkReadiness(opts: ReadinessOptions): Promise<Readiness> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const entries = await Promise.all(
    Object.entries(opts.probes).map(async ([name, probe]) => [name, await runProbe(probe, timeoutMs)] as const),
  );
  return { ready: entries.every(([, r]) => r.ok), checks: Object.fromEntries(entries) };
}

async function runProbe(probe: Probe, timeoutMs: number): Promise<ProbeResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([probe(), deadline]);
    return { ok: true, ms: elapsed(started) };
  } catch (err) {
    return { ok: false, ms: elapsed(started), error: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}

export interface OpsRoutesOptions {
  metrics: { render(): Promise<string>; contentType: string };
  readiness: ReadinessOptions;
}

/**
 * Mounts GET /ready (200 when every probe passed, else 503; both with the JSON detail) and, unless `metricsApp`
 * names another app (a private listener), GET /metrics.
 */
export function mountOpsRoutes(app: express.Express, opts: OpsRoutesOptions, metricsApp: express.Express = app): void {
  mountMetrics(metricsApp, opts.metrics);
  mountReady(app, opts.readiness);
}

function mountMetrics(app: express.Express, metrics: OpsRoutesOptions["metrics"]): void {
  app.get("/metrics", (_req, res) => {
    metrics.render().then(
      (text) => res.set("Content-Type", metrics.contentType).set("Cache-Control", "no-store").send(text),
      (err: Error) => {
        log.warn("could not collect metrics", { error: err });
        res.status(500).set("Content-Type", "text/plain").send("could not collect metrics\n");
      },
    );
  });
}

function mountReady(app: express.Express, readiness: ReadinessOptions): void {
  let wasReady = true;
  app.get("/ready", (_req, res) => {
    void checkReadiness(readiness).then((r) => {
      // Probes come every few seconds: log the change, not every answer.
      if (r.ready !== wasReady) (r.ready ? log.info("ready again") : log.warn("not ready", { checks: r.checks }));
      wasReady = r.ready;
      res.status(r.ready ? 200 : 503).set("Cache-Control", "no-store").json({ status: r.ready ? "ready" : "not ready", ...r });
    });
  });
}
