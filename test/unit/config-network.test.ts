// `network:` picks the network a bridge serves: its section must be complete, another network's may be left out,
// and the bot, ghost prefix, display names, database and key file default to the network's own.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import YAML from "yaml";
import { ConfigError, parseConfig } from "../../src/config/load";
import { checkRegistration, generateRegistration } from "../../src/config/registration";
import { GITTER_IDS } from "../../src/gitter/network";
import { MATTERMOST_IDS } from "../../src/mattermost/network";
import { CONFIG_SCHEMA } from "../../src/config/schema";

const FILE = "/srv/bridge/config.yaml";
const COMMON = {
  homeserver: { url: "http://127.0.0.1:8008", domain: "example.org" },
  web: { publicUrl: "https://bridge.example.org" },
};
const MATTERMOST = { ...COMMON, network: "mattermost", mattermost: { url: "https://chat.example.com/" } };

function load(tree: unknown) {
  return parseConfig(YAML.stringify(tree), FILE);
}

function errorsOf(tree: unknown): string[] {
  try {
    load(tree);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return [...err.errors];
  }
  assert.fail("config was accepted");
}

describe("network: mattermost", () => {
  it("loads with the mattermost section alone, and the network's own defaults", () => {
    const config = load(MATTERMOST);
    assert.ok(config.network === "mattermost");
    assert.deepEqual(config.mattermost, { url: "https://chat.example.com", oauth: { clientId: undefined, clientSecret: undefined } });
    assert.equal(config.gitter, undefined);
    assert.equal(config.bridge.botLocalpart, "mattermost");
    assert.equal(config.bridge.ghostPrefix, "mattermost_");
    assert.equal(config.bridge.displayNameTemplate, "{displayName} (Mattermost)");
    assert.equal(config.database, "sqlite:/srv/bridge/data/mattermost-bridge.db");
    assert.equal(config.encryption.keyFile, "/srv/bridge/data/mattermost-bridge.key");
  });

  it("keeps what the file sets over the network's defaults", () => {
    const config = load({ ...MATTERMOST, bridge: { botLocalpart: "mmbot", ghostPrefix: "mm_" }, database: "sqlite:./mm.db" });
    assert.equal(config.bridge.botLocalpart, "mmbot");
    assert.equal(config.bridge.ghostPrefix, "mm_");
    assert.equal(config.database, "sqlite:/srv/bridge/mm.db");
  });

  it("names the missing server URL, and does not ask for Gitter's keys", () => {
    assert.deepEqual(errorsOf({ ...COMMON, network: "mattermost" }), ["mattermost.url: required when network is mattermost"]);
  });

  it("takes an OAuth app as both keys or neither", () => {
    const app = { clientId: "x".repeat(26), clientSecret: "s" };
    const config = load({ ...MATTERMOST, mattermost: { url: "https://chat.example.com", oauth: app } });
    assert.deepEqual(config.mattermost?.oauth, app);
    assert.deepEqual(errorsOf({ ...MATTERMOST, mattermost: { url: "https://chat.example.com", oauth: { clientId: "x" } } }), [
      "mattermost.oauth.clientSecret: required with mattermost.oauth.clientId (give both, or neither for personal access tokens only)",
    ]);
  });

  it("checks a gitter section left in the file for typos, without requiring or keeping it", () => {
    const config = load({ ...MATTERMOST, gitter: { apiUrl: "http://127.0.0.1:5555" } });
    assert.equal(config.gitter, undefined);
    assert.deepEqual(errorsOf({ ...MATTERMOST, gitter: { apiURL: "http://127.0.0.1:5555" } }), ["gitter.apiURL: unknown key (did you mean apiUrl?)"]);
  });
});

describe("network: gitter", () => {
  it("is the default, with Gitter's defaults, and leaves out a mattermost section", () => {
    const config = load({ ...COMMON, gitter: { oauth: { clientId: "id", clientSecret: "s" } }, mattermost: { oauth: {} } });
    assert.equal(config.network, "gitter");
    assert.equal(config.mattermost, undefined);
    assert.equal(config.bridge.botLocalpart, "gitter");
    assert.equal(config.database, "sqlite:/srv/bridge/data/gitter-bridge.db");
  });

  it("says the network made Gitter's keys required when the file names it", () => {
    assert.deepEqual(errorsOf({ ...COMMON, network: "gitter" }).sort(), [
      "gitter.oauth.clientId: required when network is gitter",
      "gitter.oauth.clientSecret: required when network is gitter",
    ]);
  });

  it("refuses a network it does not know", () => {
    assert.deepEqual(errorsOf({ ...MATTERMOST, network: "slack" }).filter((e) => e.startsWith("network")), [
      'network: must be one of gitter, mattermost, got "slack"',
    ]);
  });
});

describe("each network's registration", () => {
  it("has the connectors' ghost prefixes as the defaults", () => {
    const defaults = CONFIG_SCHEMA.fields.bridge.fields.ghostPrefix;
    assert.equal(defaults.default, GITTER_IDS.defaultPrefix);
    assert.equal(defaults.networkDefaults.mattermost, MATTERMOST_IDS.defaultPrefix);
  });

  it("claims the Mattermost bot and ghosts under an id of its own", () => {
    const config = load(MATTERMOST);
    const reg = generateRegistration(config, "http://127.0.0.1:9898");
    assert.equal(reg.id, "mattermost-bridge");
    assert.equal(reg.sender_localpart, "mattermost");
    assert.deepEqual(reg.namespaces.users, [
      { exclusive: true, regex: "^@mattermost_.*:example\\.org$" },
      { exclusive: true, regex: "^@mattermost:example\\.org$" },
    ]);
    assert.deepEqual(checkRegistration(config, reg), []);
  });
});
