import assert from "node:assert/strict";
import { describe, it } from "node:test";
import YAML from "yaml";
import { parseConfig } from "../../src/config/load";
import { hasPermission, permissionFor } from "../../src/config/permissions";
import type { PermissionLevel } from "../../src/config/types";

const withPermissions = (permissions: Record<string, PermissionLevel>) => ({ bridge: { permissions } });

describe("permissionFor", () => {
  const config = withPermissions({
    "*": "user",
    "example.org": "admin",
    "@mallory:example.org": "none",
    "@root:elsewhere.net": "admin",
    "matrix.test:8448": "user",
  });

  it("uses the Matrix id entry first", () => {
    assert.equal(permissionFor(config, "@mallory:example.org"), "none");
    assert.equal(permissionFor(config, "@root:elsewhere.net"), "admin");
  });

  it("then the server's entry", () => {
    assert.equal(permissionFor(config, "@alice:example.org"), "admin");
    assert.equal(permissionFor(config, "@alice:EXAMPLE.org"), "admin");
    assert.equal(permissionFor(config, "@alice:matrix.test:8448"), "user");
  });

  it("then *", () => {
    assert.equal(permissionFor(config, "@someone:elsewhere.net"), "user");
    assert.equal(permissionFor(config, "@alice:matrix.test"), "user");
  });

  it("gives none without a matching entry, and to things that are not user ids", () => {
    const narrow = withPermissions({ "example.org": "user" });
    assert.equal(permissionFor(narrow, "@alice:other.org"), "none");
    assert.equal(permissionFor(narrow, "@alice:sub.example.org"), "none");
    assert.equal(permissionFor(narrow, "example.org"), "none");
    assert.equal(permissionFor(narrow, "!room:example.org"), "none");
    assert.equal(permissionFor(narrow, ""), "none");
  });

  it("does not let a Matrix id entry stand for its server", () => {
    const one = withPermissions({ "@alice:example.org": "admin" });
    assert.equal(permissionFor(one, "@bob:example.org"), "none");
  });
});

describe("hasPermission", () => {
  const config = withPermissions({ "example.org": "user", "@boss:example.org": "admin", "@out:example.org": "none" });

  it("admin implies user", () => {
    assert.equal(hasPermission(config, "@boss:example.org", "user"), true);
    assert.equal(hasPermission(config, "@boss:example.org", "admin"), true);
  });

  it("user is not admin, none is neither", () => {
    assert.equal(hasPermission(config, "@alice:example.org", "user"), true);
    assert.equal(hasPermission(config, "@alice:example.org", "admin"), false);
    assert.equal(hasPermission(config, "@out:example.org", "user"), false);
  });

  it("by default only the homeserver's own users may use the bridge", () => {
    const loaded = parseConfig(
      YAML.stringify({
        homeserver: { url: "http://127.0.0.1:8008", domain: "example.org" },
        gitter: { oauth: { clientId: "id", clientSecret: "secret" } },
        web: { publicUrl: "http://127.0.0.1:9899" },
      }),
      "/tmp/config.yaml",
    );
    assert.equal(hasPermission(loaded, "@alice:example.org", "user"), true);
    assert.equal(hasPermission(loaded, "@alice:example.org", "admin"), false);
    assert.equal(hasPermission(loaded, "@eve:evil.example", "user"), false);
  });
});
