import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import YAML from "yaml";
import { ConfigError, loadConfig, oauthRedirectUri, parseConfig } from "../../src/config/load";
import { CONFIG_SCHEMA, type SchemaNode } from "../../src/config/schema";

const EXAMPLE = path.join(__dirname, "..", "..", "config.example.yaml");
const FAKE_FILE = "/srv/bridge/config.yaml";

const MINIMAL = {
  homeserver: { url: "http://127.0.0.1:8008", domain: "example.org" },
  gitter: { oauth: { clientId: "id", clientSecret: "s3cr3t-value" } },
  web: { publicUrl: "https://bridge.example.org/gitter/" },
};

type Tree = Record<string, unknown>;

/** MINIMAL with `patch` merged in (a key set to undefined is removed). */
function withPatch(patch: Tree, base: Tree = MINIMAL): Tree {
  const out: Tree = structuredClone(base);
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) delete out[key];
    else if (value && typeof value === "object" && !Array.isArray(value) && typeof out[key] === "object") {
      out[key] = withPatch(value as Tree, out[key] as Tree);
    } else out[key] = value;
  }
  return out;
}

/** The error lines for a config, or fails if it loads. */
function errorsOf(tree: unknown): string[] {
  try {
    parseConfig(YAML.stringify(tree), FAKE_FILE);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return [...err.errors];
  }
  assert.fail("config was accepted");
}

function leafPaths(node: SchemaNode, prefix: string): string[] {
  if (node.type !== "object") return [prefix];
  return Object.entries(node.fields).flatMap(([k, child]) => leafPaths(child, prefix ? `${prefix}.${k}` : k));
}

describe("config.example.yaml", () => {
  it("passes the schema", () => {
    const config = loadConfig(EXAMPLE);
    assert.ok(config.network === "gitter");
    assert.equal(config.homeserver.url, "http://127.0.0.1:8008");
    assert.equal(config.homeserver.domain, "localhost");
    assert.equal(config.gitter.apiUrl, "http://127.0.0.1:5555");
    assert.equal(config.gitter.realtimeUrl, "http://127.0.0.1:5555/bayeux");
    assert.deepEqual(config.gitter.oauth, { clientId: "gitter-bridge-demo", clientSecret: "demo-secret-change-me" });
    assert.equal(oauthRedirectUri(config), "http://127.0.0.1:9899/oauth/callback");
    assert.equal(config.appservice.registration, path.resolve(path.dirname(EXAMPLE), "registration.yaml"));
  });

  it("sets every key the schema knows, and every key has a description", () => {
    const example = YAML.parse(readFileSync(EXAMPLE, "utf8")) as Tree;
    for (const leaf of leafPaths(CONFIG_SCHEMA, "")) {
      let value: unknown = example;
      for (const part of leaf.split(".")) value = (value as Tree | undefined)?.[part];
      assert.notEqual(value, undefined, `config.example.yaml does not show ${leaf}`);
    }
    const walk = (node: SchemaNode, at: string): void => {
      assert.ok(node.description.length > 10, `${at} has no description`);
      if (node.type === "object") for (const [k, child] of Object.entries(node.fields)) walk(child, `${at}.${k}`);
    };
    walk(CONFIG_SCHEMA, "(root)");
  });
});

describe("defaults", () => {
  it("fills in every optional key", () => {
    const config = parseConfig(YAML.stringify(MINIMAL), FAKE_FILE);
    assert.ok(config.network === "gitter");
    assert.deepEqual(config.appservice, { bind: "127.0.0.1", port: 9898, registration: "/srv/bridge/registration.yaml" });
    assert.deepEqual(config.bridge, {
      botLocalpart: "gitter",
      ghostPrefix: "gitter_",
      displayNameTemplate: "{displayName} (Gitter)",
      maxPortalMembers: 100,
      permissions: { "example.org": "user" },
    });
    assert.equal(config.gitter.apiUrl, "https://api.gitter.im");
    assert.equal(config.gitter.realtimeUrl, "https://ws.gitter.im/bayeux");
    assert.equal(config.gitter.oauthUrl, "https://gitter.im");
    assert.deepEqual(config.web, { bind: "127.0.0.1", port: 9899, publicUrl: "https://bridge.example.org/gitter" });
    assert.equal(config.database, "sqlite:/srv/bridge/data/gitter-bridge.db");
    assert.deepEqual(config.sqlite, { synchronous: "full" });
    assert.equal(config.encryption.keyFile, "/srv/bridge/data/gitter-bridge.key");
    assert.deepEqual(config.logging, { level: "info", format: "auto" });
    assert.equal(config.media.maxBytes, 10 * 1024 * 1024);
    assert.equal(oauthRedirectUri(config), "https://bridge.example.org/gitter/oauth/callback");
  });

  it("keeps absolute paths and explicit permissions, and resolves relative ones against the config folder", () => {
    const config = parseConfig(
      YAML.stringify(
        withPatch({
          appservice: { registration: "/etc/gitter/reg.yaml" },
          encryption: { keyFile: "keys/k" },
          database: "sqlite:state.db",
          bridge: { permissions: { "*": "user" } },
        }),
      ),
      FAKE_FILE,
    );
    assert.equal(config.appservice.registration, "/etc/gitter/reg.yaml");
    assert.equal(config.encryption.keyFile, "/srv/bridge/keys/k");
    assert.equal(config.database, "sqlite:/srv/bridge/state.db");
    assert.deepEqual(config.bridge.permissions, { "*": "user" });
  });

  it("accepts postgres URLs, sqlite in memory and sqlite:// forms", () => {
    const database = (value: string) => parseConfig(YAML.stringify(withPatch({ database: value })), FAKE_FILE).database;
    assert.equal(database("postgres://u:p@db.internal:5432/bridge"), "postgres://u:p@db.internal:5432/bridge");
    assert.equal(database("postgresql://db/bridge"), "postgresql://db/bridge");
    assert.equal(database("sqlite::memory:"), "sqlite::memory:");
    assert.equal(database("sqlite:///var/lib/bridge.db"), "sqlite:/var/lib/bridge.db");
    assert.equal(database("sqlite://rel.db"), "sqlite:/srv/bridge/rel.db");
  });

  it("takes SQLite's synchronous level, full or normal", () => {
    const synchronous = (value: string) => parseConfig(YAML.stringify(withPatch({ sqlite: { synchronous: value } })), FAKE_FILE).sqlite;
    assert.deepEqual(synchronous("normal"), { synchronous: "normal" });
    assert.deepEqual(synchronous("full"), { synchronous: "full" });
  });
});

describe("errors name their key", () => {
  it("missing required keys", () => {
    const errors = errorsOf(withPatch({ gitter: { oauth: { clientSecret: undefined } }, homeserver: undefined }));
    assert.deepEqual(errors.sort(), ["gitter.oauth.clientSecret: required", "homeserver.domain: required", "homeserver.url: required"]);
  });

  it("an empty file lists every required key", () => {
    const errors = errorsOf(null);
    for (const key of ["homeserver.url", "homeserver.domain", "gitter.oauth.clientId", "gitter.oauth.clientSecret", "web.publicUrl"]) {
      assert.ok(errors.includes(`${key}: required`), `missing ${key} in ${errors.join("; ")}`);
    }
    assert.equal(errors.length, 5);
  });

  it("wrong types", () => {
    assert.deepEqual(errorsOf(withPatch({ appservice: { port: "abc" } })), ['appservice.port: must be an integer 1-65535, got "abc"']);
    assert.deepEqual(errorsOf(withPatch({ web: { port: 70000 } })), ["web.port: must be an integer 1-65535, got 70000"]);
    assert.deepEqual(errorsOf(withPatch({ media: { maxBytes: 1.5 } })), ["media.maxBytes: must be an integer 1-1073741824, got 1.5"]);
    assert.deepEqual(errorsOf(withPatch({ gitter: { oauth: { clientId: 12345 } } })), [
      "gitter.oauth.clientId: must be a string (quote it in YAML), got 12345",
    ]);
    assert.deepEqual(errorsOf(withPatch({ logging: "debug" })), ['logging: must be a mapping of keys, got "debug"']);
  });

  it("bad enum values", () => {
    assert.deepEqual(errorsOf(withPatch({ logging: { level: "verbose" } })), [
      'logging.level: must be one of debug, info, warn, error, got "verbose"',
    ]);
    assert.deepEqual(errorsOf(withPatch({ sqlite: { synchronous: "off" } })), [
      'sqlite.synchronous: must be one of full, normal, got "off"',
    ]);
    assert.deepEqual(errorsOf(withPatch({ sqlite: { synchronous: true } })), [
      "sqlite.synchronous: must be a string (quote it in YAML), got true",
    ]);
    assert.deepEqual(errorsOf(withPatch({ bridge: { permissions: { "@bob:example.org": "root" } } })), [
      'bridge.permissions["@bob:example.org"]: must be one of none, user, admin, got "root"',
    ]);
  });

  it("unknown keys, with a suggestion for near misses", () => {
    const errors = errorsOf(withPatch({ gitter: { oauth: { clientSecrte: "x" } }, extra: 1, web: { publicURL: "x" } }));
    assert.deepEqual(errors.sort(), [
      "extra: unknown key",
      "gitter.oauth.clientSecrte: unknown key (did you mean clientSecret?)",
      "web.publicURL: unknown key (did you mean publicUrl?)",
    ]);
  });

  it("a key earlier versions took: says it is no longer used and what to do", () => {
    const errors = errorsOf(withPatch({ gitter: { streamUrl: "https://stream.gitter.im" } }));
    assert.deepEqual(errors, [
      "gitter.streamUrl: no longer used (the bridge never read it: Gitter's events come over Faye, gitter.realtimeUrl); delete this line",
    ]);
  });

  it("bad URLs", () => {
    assert.deepEqual(errorsOf(withPatch({ homeserver: { url: "localhost:8008" } })), [
      'homeserver.url: must be an http:// or https:// URL, got "localhost:8008"',
    ]);
    assert.deepEqual(errorsOf(withPatch({ gitter: { realtimeUrl: "ws://x/bayeux" } })), [
      'gitter.realtimeUrl: must be an http:// or https:// URL, got "ws://x/bayeux"',
    ]);
    assert.deepEqual(errorsOf(withPatch({ web: { publicUrl: "https://x/?a=1" } })), [
      "web.publicUrl: must not contain a query (?) or fragment (#)",
    ]);
  });

  it("bad database schemes, without echoing the URL (it may hold a password)", () => {
    assert.deepEqual(errorsOf(withPatch({ database: "mysql://root:hunter2@db/bridge" })), [
      'database: must start with sqlite: or postgres://, got scheme "mysql:"',
    ]);
    assert.deepEqual(errorsOf(withPatch({ database: "./bridge.db" })), ["database: must start with sqlite: or postgres://, got no scheme"]);
    for (const empty of ["sqlite:", "sqlite://"]) {
      assert.deepEqual(errorsOf(withPatch({ database: empty })), ['database: must name a file after "sqlite:", e.g. sqlite:./data/bridge.db']);
    }
  });

  it("patterns: server names, localparts, permission keys", () => {
    assert.deepEqual(errorsOf(withPatch({ homeserver: { domain: "https://example.org" } })), [
      'homeserver.domain: must be a server name like example.org or localhost:8448, got "https://example.org"',
    ]);
    assert.deepEqual(errorsOf(withPatch({ bridge: { ghostPrefix: "Gitter " } })), [
      'bridge.ghostPrefix: must be lowercase letters, digits and . _ = - / only, got "Gitter "',
    ]);
    assert.deepEqual(errorsOf(withPatch({ bridge: { permissions: { "bob@example.org": "user" } } })), [
      'bridge.permissions["bob@example.org"]: key must be "*", a server name like example.org, or a Matrix id like @alice:example.org',
    ]);
  });

  it("display name templates: known placeholders only, at least one, no invisible characters", () => {
    const template = (t: string) => errorsOf(withPatch({ bridge: { displayNameTemplate: t } }));
    assert.deepEqual(template("{name} (Gitter)"), [
      "bridge.displayNameTemplate: unknown placeholder {name}; the known ones are {displayName} and {username}",
    ]);
    assert.deepEqual(template("Gitter user"), [
      "bridge.displayNameTemplate: must contain {displayName} or {username}, or every ghost would have the same name",
    ]);
    assert.deepEqual(template("{displayName} {"), ["bridge.displayNameTemplate: has an unmatched { or }"]);
    assert.deepEqual(template("{displayName}\u202e (Gitter)"), ["bridge.displayNameTemplate: must not contain control or invisible characters"]);
    assert.deepEqual(template(`{displayName} ${"x".repeat(65)}`), [
      "bridge.displayNameTemplate: its text outside the placeholders must be at most 64 characters",
    ]);
    const ok = parseConfig(YAML.stringify(withPatch({ bridge: { displayNameTemplate: "{username} / {displayName}" } })), FAKE_FILE);
    assert.equal(ok.bridge.displayNameTemplate, "{username} / {displayName}");
  });

  it("rules across keys", () => {
    assert.deepEqual(errorsOf(withPatch({ bridge: { botLocalpart: "gitter_bot" } })), [
      'bridge.botLocalpart: must not start with bridge.ghostPrefix ("gitter_"), or the bot would share the ghosts\' namespace',
    ]);
    assert.deepEqual(errorsOf(withPatch({ web: { port: 9898 } })), ["web.port: must differ from appservice.port (both 9898 on 127.0.0.1)"]);
  });

  it("reports every error at once", () => {
    const errors = errorsOf(withPatch({ appservice: { port: "abc" }, logging: { level: "loud" }, homeserver: { url: "nope" } }));
    assert.equal(errors.length, 3, errors.join("; "));
  });

  it("never echoes the client secret", () => {
    const errors = errorsOf(withPatch({ gitter: { oauth: { clientSecret: 918273645 } } }));
    assert.deepEqual(errors, ["gitter.oauth.clientSecret: must be a string (quote it in YAML), got a number"]);
  });
});

describe("loadConfig", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "config-load-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("throws a ConfigError for a missing file", () => {
    const file = path.join(dir, "absent.yaml");
    assert.throws(() => loadConfig(file), (err: unknown) => err instanceof ConfigError && /cannot read the file: ENOENT/.test(err.message));
  });

  it("reports YAML syntax errors and duplicate keys by line, without the source text", () => {
    const file = path.join(dir, "broken.yaml");
    writeFileSync(file, "homeserver:\n  url: http://x\n  url: http://y\ngitter:\n  oauth: { clientSecret: topsecret\n");
    assert.throws(
      () => loadConfig(file),
      (err: unknown) =>
        err instanceof ConfigError && err.errors.every((e) => e.startsWith("YAML syntax:")) && /line 3/.test(err.message) && !err.message.includes("topsecret"),
    );
  });

  it("lists the errors in its message under the file name", () => {
    const file = path.join(dir, "bad.yaml");
    writeFileSync(file, YAML.stringify(withPatch({ appservice: { port: "abc" } })));
    assert.throws(() => loadConfig(file), { message: `${file} is not valid:\n  - appservice.port: must be an integer 1-65535, got "abc"` });
  });
});
