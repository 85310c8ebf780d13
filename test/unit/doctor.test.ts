import assert from "node:assert/strict";
import { describe, it } from "node:test";
import YAML from "yaml";
import { parseConfig } from "../../src/config/load";
import { generateRegistration, type Registration } from "../../src/config/registration";
import { CHECKS, runDoctor } from "../../src/doctor";
import { secretsOf } from "../../src/doctor/context";
import { formatReport, redactResults } from "../../src/doctor/report";
import type { CheckResult, DoctorContext, HomeserverProbe, MigrationState } from "../../src/doctor/types";
import { MatrixApiError } from "../../src/matrix/errors";

const config = parseConfig(
  YAML.stringify({
    homeserver: { url: "http://hs.test:8008", domain: "example.org" },
    appservice: { bind: "0.0.0.0", port: 9898 },
    gitter: {
      apiUrl: "https://api.gitter.test/v1/",
      realtimeUrl: "https://ws.gitter.test/bayeux",
      oauthUrl: "https://gitter.test",
      oauth: { clientId: "app-id", clientSecret: "oauth-client-secret" },
    },
    web: { publicUrl: "https://bridge.example.org", port: 9899 },
    database: "postgres://bridge:db-pass-word@db.test/bridge",
  }),
  "/srv/bridge/config.yaml",
);

type Route = (init: RequestInit | undefined) => Response | Promise<Response>;

/** Answers like a healthy setup; `routes` replace answers by URL prefix. Records every URL asked for. */
function fakeFetch(seen: string[], routes: Record<string, Route> = {}) {
  const healthy: Record<string, Route> = {
    "https://api.gitter.test/v1/user": () => Response.json({ error: "Unauthorized" }, { status: 401 }),
    "https://ws.gitter.test/bayeux": () =>
      Response.json([{ channel: "/meta/handshake", successful: false, error: "401::Access token required" }]),
    "https://gitter.test/login/oauth/authorize": () => new Response("<form>sign in</form>", { status: 200 }),
    "https://bridge.example.org/health": () => Response.json({ status: "ok" }),
  };
  return async (url: string, init?: RequestInit): Promise<Response> => {
    seen.push(url);
    const route = [routes, healthy].map((table) => Object.entries(table).find(([prefix]) => url.startsWith(prefix))).find(Boolean);
    if (!route) throw new TypeError("fetch failed", { cause: { code: "ENOTFOUND" } });
    return route[1](init);
  };
}

const healthyHomeserver: HomeserverProbe = {
  whoami: async () => ({ user_id: "@gitter:example.org" }),
  ping: async () => ({ durationMs: 7 }),
};

function matrixError(status: number, errcode: string): MatrixApiError {
  return new MatrixApiError({ status, errcode, method: "POST", path: "/_matrix/client/v1/appservice/gitter-bridge/ping" });
}

interface Setup {
  registration?: Registration | null;
  homeserver?: Partial<HomeserverProbe>;
  migrations?: () => Promise<MigrationState>;
  routes?: Record<string, Route>;
  listening?: boolean;
  from?: "cli" | "bridge";
}

function context(setup: Setup = {}, seen: string[] = [], probed: string[] = []): DoctorContext {
  const registration = setup.registration === undefined ? generateRegistration(config, "http://bridge.internal:9898") : setup.registration;
  return {
    config,
    registration,
    registrationError: registration ? undefined : "/srv/bridge/registration.yaml: cannot read the registration file: ENOENT",
    homeserver: registration ? { ...healthyHomeserver, ...setup.homeserver } : null,
    migrationStatus: setup.migrations ?? (async () => ({ current: true, applied: ["001", "002"], pending: [] })),
    fetch: fakeFetch(seen, setup.routes),
    isListening: async (host, port) => (probed.push(`${host}:${port}`), setup.listening ?? true),
    from: setup.from ?? "cli",
    timeoutMs: 1000,
  };
}

async function check(name: string, setup: Setup = {}): Promise<CheckResult> {
  const results = await runDoctor(context(setup));
  const found = results.find((r) => r.name === name);
  assert.ok(found, `no check named ${name}`);
  return found;
}

describe("doctor", () => {
  it("passes every check on a healthy setup, asking each endpoint the right thing", async () => {
    const seen: string[] = [];
    const results = await runDoctor(context({}, seen));
    assert.equal(results.length, CHECKS.length);
    for (const r of results) assert.equal(r.ok, true, `${r.name}: ${r.detail}`);
    assert.match(formatReport(results), /All 9 checks passed\.$/);
    const authorize = new URL(seen.find((u) => u.includes("/login/oauth/authorize"))!);
    assert.equal(authorize.searchParams.get("client_id"), "app-id");
    assert.equal(authorize.searchParams.get("redirect_uri"), "https://bridge.example.org/oauth/callback");
    assert.ok(seen.includes("https://api.gitter.test/v1/user"), "the trailing /v1/ of apiUrl is not doubled");
  });

  it("reports an unreadable registration once and skips the checks that need it", async () => {
    const results = await runDoctor(context({ registration: null }));
    const [reg, ns, whoami, ping] = results;
    assert.equal(reg.ok, false);
    assert.match(reg.detail, /ENOENT/);
    assert.match(reg.hint ?? "", /--generate-registration/);
    for (const r of [ns, whoami, ping]) assert.match(r.detail, /^skipped/);
    assert.equal(results.slice(4).every((r) => r.ok), true, "the other checks still run");
  });

  it("fails a registration that disagrees with the config, and non-exclusive ghost namespaces", async () => {
    const reg = generateRegistration(config, "http://bridge.internal:9898");
    reg.sender_localpart = "other";
    reg.namespaces.users[0].exclusive = false;
    const mismatch = await check("registration matches the config", { registration: reg });
    assert.equal(mismatch.ok, false);
    assert.match(mismatch.detail, /sender_localpart is "other"/);
    const ns = await check("user namespaces are exclusive", { registration: reg });
    assert.equal(ns.ok, false);
    assert.match(ns.detail, /must be exclusive/);
  });

  it("tells an unknown as_token from an unreachable homeserver", async () => {
    const unknown = await check("bridge reaches the homeserver", {
      homeserver: { whoami: async () => Promise.reject(matrixError(401, "M_UNKNOWN_TOKEN")) },
    });
    assert.equal(unknown.ok, false);
    assert.match(unknown.hint ?? "", /app_service_config_files/);
    const down = await check("bridge reaches the homeserver", {
      homeserver: { whoami: async () => Promise.reject(matrixError(0, "M_CONNECTION_FAILED")) },
    });
    assert.match(down.detail, /no answer from http:\/\/hs\.test:8008/);
    assert.match(down.hint ?? "", /homeserver\.url/);
  });

  it("says the bridge is not running when the homeserver cannot connect and nothing listens", async () => {
    const probed: string[] = [];
    const refused = { ping: async () => Promise.reject(matrixError(502, "M_CONNECTION_FAILED")) };
    const results = await runDoctor(context({ homeserver: refused, listening: false }, [], probed));
    const ping = results.find((r) => r.name === "homeserver reaches the bridge")!;
    assert.equal(ping.ok, false);
    assert.match(ping.hint ?? "", /bridge is not running: nothing listens on 0\.0\.0\.0:9898/);
    assert.ok(probed.includes("127.0.0.1:9898"), "a wildcard bind is probed on loopback");

    const elsewhere = await check("homeserver reaches the bridge", { homeserver: refused, listening: true });
    assert.match(elsewhere.hint ?? "", /cannot connect to http:\/\/bridge\.internal:9898/);
  });

  it("never probes ports when the bridge runs the checks itself", async () => {
    const probed: string[] = [];
    const refused = { ping: async () => Promise.reject(matrixError(502, "M_CONNECTION_FAILED")) };
    await runDoctor(context({ homeserver: refused, from: "bridge", routes: { "https://bridge.example.org": () => new Response("", { status: 502 }) } }, [], probed));
    assert.deepEqual(probed, []);
  });

  it("blames differing hs_tokens when the bridge refuses the homeserver's ping", async () => {
    const r = await check("homeserver reaches the bridge", { homeserver: { ping: async () => Promise.reject(matrixError(502, "M_BAD_STATUS")) } });
    assert.equal(r.ok, false);
    assert.match(r.hint ?? "", /hs_token/);
  });

  it("reports pending, unknown and unreadable migrations differently", async () => {
    const pending = await check("database migrations are current", { migrations: async () => ({ current: false, applied: ["001"], pending: ["002"] }) });
    assert.match(pending.detail, /1 pending: 002/);
    const newer = await check("database migrations are current", { migrations: async () => ({ current: false, applied: ["001", "099"], pending: [] }) });
    assert.match(newer.hint ?? "", /newer gitter-bridge/);
    const down = await check("database migrations are current", { migrations: async () => Promise.reject(new Error("connect ECONNREFUSED")) });
    assert.match(down.detail, /cannot read the database: connect ECONNREFUSED/);
  });

  it("fails Gitter endpoints that answer like something else, or not at all", async () => {
    const api = await check("Gitter API answers", { routes: { "https://api.gitter.test/v1/user": () => new Response("nope", { status: 404 }) } });
    assert.equal(api.ok, false);
    assert.match(api.detail, /answered 404/);
    const rt = await check("Gitter realtime answers", { routes: { "https://ws.gitter.test/bayeux": () => new Response("<html>", { status: 200 }) } });
    assert.equal(rt.ok, false);
    assert.match(rt.detail, /not as a Bayeux server/);
    const oauth = await check("Gitter login page answers", { routes: { "https://gitter.test/login": () => new Response("failed", { status: 401 }) } });
    assert.equal(oauth.ok, false);
    assert.match(oauth.hint ?? "", /redirect URI https:\/\/bridge\.example\.org\/oauth\/callback exactly/);
    assert.doesNotMatch(oauth.detail, /client_id=/, "the query is not repeated in the report");
    const gone = await check("Gitter API answers", { routes: { "https://api.gitter.test/v1/user": () => Promise.reject(new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } })) } });
    assert.match(gone.detail, /no answer from https:\/\/api\.gitter\.test\/v1\/user: ECONNREFUSED/);
  });

  it("accepts a redirect to Gitter's sign-in page as an answer", async () => {
    const r = await check("Gitter login page answers", { routes: { "https://gitter.test/login": () => new Response(null, { status: 302, headers: { location: "/login" } }) } });
    assert.equal(r.ok, true);
    assert.match(r.detail, /sign in first/);
  });

  it("checks the public URL leads to this bridge", async () => {
    const other = await check("login pages are reachable", { routes: { "https://bridge.example.org/health": () => new Response("<h1>It works</h1>") } });
    assert.equal(other.ok, false);
    assert.match(other.hint ?? "", /reverse proxy/);
    const stopped = await check("login pages are reachable", { routes: { "https://bridge.example.org/health": () => Promise.reject(new TypeError("fetch failed")) }, listening: false });
    assert.match(stopped.hint ?? "", /bridge is not running/);
  });

  it("turns a throwing or hanging check into a failure instead of rejecting", async () => {
    const ctx = { ...context(), timeoutMs: 10 };
    const throws = async function exploding(): Promise<CheckResult> {
      throw new Error("boom");
    };
    const hangs = async function hanging(): Promise<CheckResult> {
      return new Promise<CheckResult>(() => undefined);
    };
    const [a, b] = await runDoctor(ctx, [throws, hangs]);
    assert.deepEqual([a.name, a.ok, a.detail], ["exploding", false, "the check failed: boom"]);
    assert.deepEqual([b.name, b.ok], ["hanging", false]);
    assert.match(b.detail, /did not finish/);
  });

  it("masks every secret of the setup in whatever a check reports", () => {
    const reg = generateRegistration(config, "http://bridge.internal:9898");
    const leaky: CheckResult[] = [
      { name: "x", ok: false, detail: `as ${reg.as_token} hs ${reg.hs_token}`, hint: "secret oauth-client-secret, db db-pass-word" },
    ];
    const [r] = redactResults(leaky, secretsOf(config, reg));
    const text = formatReport([r]);
    for (const secret of [reg.as_token, reg.hs_token, "oauth-client-secret", "db-pass-word"]) assert.ok(!text.includes(secret), secret);
    assert.match(text, /as \[redacted\] hs \[redacted\]/);
  });

  it("prints OK or FAIL first on each line and a fix under failures only", () => {
    const text = formatReport([
      { name: "a", ok: true, detail: "fine", hint: "unused" },
      { name: "b", ok: false, detail: "broken", hint: "mend it" },
    ]);
    assert.equal(text, "OK   a: fine\nFAIL b: broken\n     fix: mend it\n1 of 2 checks failed.");
  });
});
