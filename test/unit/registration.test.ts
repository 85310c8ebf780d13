import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import YAML from "yaml";
import { ConfigError, loadConfig, parseConfig } from "../../src/config/load";
import {
  checkRegistration,
  generateRegistration,
  loadRegistration,
  writeRegistration,
  type Registration,
} from "../../src/config/registration";
import type { BridgeConfig } from "../../src/config/types";

const ROOT = path.join(__dirname, "..", "..");

function configFor(domain: string, bridge: Record<string, unknown> = {}): BridgeConfig {
  const tree = {
    homeserver: { url: "http://127.0.0.1:8008", domain },
    bridge,
    gitter: { oauth: { clientId: "id", clientSecret: "secret" } },
    web: { publicUrl: "http://127.0.0.1:9899" },
  };
  return parseConfig(YAML.stringify(tree), "/srv/bridge/config.yaml");
}

const config = configFor("matrix.example.org");
const URL_FLAG = "http://127.0.0.1:9898";

function matches(reg: Registration, userId: string): boolean {
  return reg.namespaces.users.some((ns) => new RegExp(ns.regex).test(userId));
}

describe("generateRegistration", () => {
  it("makes fresh 64-hex tokens on every call", () => {
    const a = generateRegistration(config, URL_FLAG);
    const b = generateRegistration(config, URL_FLAG);
    for (const token of [a.as_token, a.hs_token, b.as_token, b.hs_token]) assert.match(token, /^[0-9a-f]{64}$/);
    assert.equal(new Set([a.as_token, a.hs_token, b.as_token, b.hs_token]).size, 4);
  });

  it("fills in the fixed fields and the url it was given", () => {
    const reg = generateRegistration(configFor("localhost", { botLocalpart: "gitterbot" }), "https://bridge.internal:1234");
    assert.equal(reg.id, "gitter-bridge");
    assert.equal(reg.url, "https://bridge.internal:1234");
    assert.equal(reg.sender_localpart, "gitterbot");
    assert.equal(reg.rate_limited, false);
    assert.deepEqual(reg.namespaces.aliases, []);
    assert.deepEqual(reg.namespaces.rooms, []);
  });

  it("claims ghosts and the bot with anchored, exclusive, escaped regexes", () => {
    const reg = generateRegistration(config, URL_FLAG);
    assert.deepEqual(reg.namespaces.users, [
      { exclusive: true, regex: "^@gitter_.*:matrix\\.example\\.org$" },
      { exclusive: true, regex: "^@gitter:matrix\\.example\\.org$" },
    ]);
    assert.ok(matches(reg, "@gitter_alice:matrix.example.org"));
    assert.ok(matches(reg, "@gitter:matrix.example.org"));
    // The dots are literal, and nothing may precede or follow the anchors.
    assert.ok(!matches(reg, "@gitter_alice:matrixXexample.org"));
    assert.ok(!matches(reg, "@gitter_alice:matrix.example.org.evil"));
    assert.ok(!matches(reg, "x@gitter_alice:matrix.example.org"));
    assert.ok(!matches(reg, "@alice:matrix.example.org"));
    assert.ok(!matches(reg, "@gitterbot:matrix.example.org"));
  });

  it("escapes a server name with a port or IPv6 literal, and a prefix with dots", () => {
    const reg = generateRegistration(configFor("[::1]:8448", { ghostPrefix: "g.h_" }), URL_FLAG);
    assert.equal(reg.namespaces.users[0]!.regex, "^@g\\.h_.*:\\[::1\\]:8448$");
    assert.ok(matches(reg, "@g.h_bob:[::1]:8448"));
    assert.ok(!matches(reg, "@gXh_bob:[::1]:8448"));
  });
});

describe("writeRegistration and loadRegistration", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "registration-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("round-trips, readable by the owner only, creating folders", () => {
    const file = path.join(dir, "nested", "registration.yaml");
    const reg = generateRegistration(config, URL_FLAG);
    writeRegistration(file, reg);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(loadRegistration(file), reg);
    assert.deepEqual(readdirSync(path.dirname(file)), ["registration.yaml"]);
  });

  it("replaces an existing file that had looser permissions", () => {
    const file = path.join(dir, "loose.yaml");
    writeFileSync(file, "old: true\n");
    chmodSync(file, 0o644);
    const reg = generateRegistration(config, URL_FLAG);
    writeRegistration(file, reg);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(loadRegistration(file).as_token, reg.as_token);
  });

  it("names every bad key without echoing tokens", () => {
    const file = path.join(dir, "bad.yaml");
    writeFileSync(
      file,
      YAML.stringify({ id: "x", url: 5, as_token: 424242, sender_localpart: "gitter", namespaces: { users: [{ regex: "^@a" }, "x"] } }),
    );
    assert.throws(
      () => loadRegistration(file),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.deepEqual(err.errors, [
          "url: must be a string, got 5",
          "as_token: must be a string, got a number",
          "hs_token: required",
          "namespaces.users[0].exclusive: must be true or false",
          "namespaces.users[1]: must be a mapping with exclusive and regex",
        ]);
        assert.ok(!err.message.includes("424242"));
        return true;
      },
    );
  });

  it("says how to make a missing file", () => {
    assert.throws(() => loadRegistration(path.join(dir, "absent.yaml")), /ENOENT \(create it with --generate-registration\)/);
  });

  it("reads registration.example.yaml, which matches the example config except for its placeholder tokens", () => {
    const reg = loadRegistration(path.join(ROOT, "registration.example.yaml"));
    const problems = checkRegistration(loadConfig(path.join(ROOT, "config.example.yaml")), reg);
    assert.deepEqual(problems, [
      "as_token is still the example placeholder: generate a registration with --generate-registration",
      "hs_token is still the example placeholder: generate a registration with --generate-registration",
    ]);
  });
});

describe("checkRegistration", () => {
  const fresh = () => generateRegistration(config, URL_FLAG);
  const ghostIndex = 0;
  const botIndex = 1;

  it("finds nothing wrong with a freshly generated registration", () => {
    assert.deepEqual(checkRegistration(config, fresh()), []);
  });

  it("asks for ephemeral events under both names, and catches a registration that asks under neither", () => {
    const reg = fresh();
    assert.equal(reg.receive_ephemeral, true);
    assert.equal(reg["de.sorunome.msc2409.push_ephemeral"], true);
    assert.deepEqual(checkRegistration(config, { ...fresh(), receive_ephemeral: false }), []);
    const { receive_ephemeral: _stable, "de.sorunome.msc2409.push_ephemeral": _unstable, ...neither } = reg;
    const problems = checkRegistration(config, neither);
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /^receive_ephemeral is not true: the homeserver would not push read receipts/);
  });

  it("reads the ephemeral switches from a file and names a bad one", (t) => {
    const own = mkdtempSync(path.join(tmpdir(), "registration-ephemeral-"));
    t.after(() => rmSync(own, { recursive: true, force: true }));
    const file = path.join(own, "ephemeral.yaml");
    const reg = { ...fresh(), receive_ephemeral: "yes" };
    writeFileSync(file, YAML.stringify(reg));
    assert.throws(() => loadRegistration(file), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.deepEqual(err.errors, ['receive_ephemeral: must be true or false, got "yes"']);
      return true;
    });
    writeFileSync(file, YAML.stringify({ ...fresh(), receive_ephemeral: undefined }));
    assert.deepEqual(
      [loadRegistration(file).receive_ephemeral, loadRegistration(file)["de.sorunome.msc2409.push_ephemeral"]],
      [undefined, true],
    );
  });

  it("catches a sender_localpart that is not the bot", () => {
    const reg = { ...fresh(), sender_localpart: "gitterbot" };
    assert.deepEqual(checkRegistration(config, reg), ['sender_localpart is "gitterbot" but bridge.botLocalpart is "gitter"']);
  });

  it("catches a missing or unusable url", () => {
    assert.deepEqual(checkRegistration(config, { ...fresh(), url: null }), [
      "url is missing: the homeserver would not push events to the bridge",
    ]);
    assert.deepEqual(checkRegistration(config, { ...fresh(), url: "127.0.0.1:9898" }), [
      'url must be an http:// or https:// URL, got "127.0.0.1:9898"',
    ]);
  });

  it("catches a ghost namespace that is missing, for another prefix or domain, or not exclusive", () => {
    const ghostMissing = fresh();
    ghostMissing.namespaces.users.splice(ghostIndex, 1);
    const otherPrefix = generateRegistration(configFor("matrix.example.org", { ghostPrefix: "gh_" }), URL_FLAG);
    const otherDomain = generateRegistration(configFor("example.org"), URL_FLAG);
    const notExclusive = fresh();
    notExclusive.namespaces.users[ghostIndex]!.exclusive = false;
    const uncovered = 'no users namespace covers ghost users (bridge.ghostPrefix "gitter_"), e.g. @gitter_alice:matrix.example.org';
    assert.deepEqual(checkRegistration(config, ghostMissing), [uncovered]);
    assert.deepEqual(checkRegistration(config, otherPrefix), [uncovered]);
    assert.deepEqual(checkRegistration(config, otherDomain), [
      uncovered,
      "no users namespace covers the bridge bot, e.g. @gitter:matrix.example.org",
    ]);
    assert.deepEqual(checkRegistration(config, notExclusive), [
      'the users namespace covering ghost users (bridge.ghostPrefix "gitter_") must be exclusive',
    ]);
  });

  it("catches a ghost namespace too narrow for escaped usernames", () => {
    const reg = fresh();
    reg.namespaces.users[ghostIndex]!.regex = "^@gitter_[a-z]+:matrix\\.example\\.org$";
    assert.deepEqual(checkRegistration(config, reg), [
      'no users namespace covers ghost users (bridge.ghostPrefix "gitter_"), e.g. @gitter__alice.b-c__d=2fe:matrix.example.org',
    ]);
  });

  it("catches a bot that no namespace covers", () => {
    const reg = fresh();
    reg.namespaces.users.splice(botIndex, 1);
    assert.deepEqual(checkRegistration(config, reg), ["no users namespace covers the bridge bot, e.g. @gitter:matrix.example.org"]);
  });

  it("catches a namespace so broad it takes ordinary users", () => {
    const reg = fresh();
    reg.namespaces.users.push({ exclusive: true, regex: "@.*" });
    assert.deepEqual(checkRegistration(config, reg), [
      "an exclusive users namespace also matches ordinary users such as @alice:matrix.example.org: it is too broad",
    ]);
  });

  it("catches an invalid regex and equal tokens, never printing a token", () => {
    const reg = fresh();
    reg.hs_token = reg.as_token;
    reg.namespaces.users.push({ exclusive: false, regex: "([" });
    const problems = checkRegistration(config, reg);
    assert.deepEqual(problems, [
      "as_token and hs_token must differ",
      "namespaces.users[2].regex is not a valid regular expression: ([",
    ]);
    assert.ok(!problems.join("\n").includes(reg.as_token));
  });

  it("reads a registration file the same way the homeserver does (no implicit end anchor)", () => {
    const file = readFileSync(path.join(ROOT, "registration.example.yaml"), "utf8");
    const reg = YAML.parse(file) as Registration;
    reg.as_token = "a".repeat(64);
    reg.hs_token = "b".repeat(64);
    reg.namespaces.users = [{ exclusive: true, regex: "@gitter" }];
    // "@gitter" is a prefix match for the homeserver, so it covers the bot and the ghosts of any server name.
    assert.deepEqual(checkRegistration(configFor("localhost"), reg), []);
  });
});
