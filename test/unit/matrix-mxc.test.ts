// The mxc grammar (src/matrix/mxc.ts) against golden lists: the Matrix spec's server name (hostname, IPv4,
// [IPv6], optional port) and media id ([A-Za-z0-9_-]+). Every refused name is one that could bend the homeserver
// path the bridge builds from it, or that no homeserver could have.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { gitterToMatrix } from "../../src/gitter/convert/from-gitter";
import { sanitizeForMatrix } from "../../src/convert/sanitize";
import { isMediaId, isServerName, parseMxc } from "../../src/matrix/mxc";
import { gitterCtx } from "./golden/from-gitter";

const GOOD_SERVER_NAMES = [
  // The spec's own examples (appendix, "Server Name").
  "matrix.org",
  "matrix.org:8888",
  "1.2.3.4",
  "1.2.3.4:1234",
  "[1234:5678::abcd]",
  "[1234:5678::abcd]:5678",
  "localhost",
  "localhost:8448",
  "my-server.example.co.uk",
  "UPPER.Example",
  "[::1]",
  "[::ffff:127.0.0.1]:80",
  "a".repeat(255),
];

const BAD_SERVER_NAMES = [
  "",
  ".",
  "..",
  "...",
  "../config",
  "a..b",
  ".matrix.org",
  "matrix.org.",
  "matrix.org:",
  "matrix.org:123456",
  "matrix.org:port",
  "matrix.org:80:80",
  ":8448",
  "a/b",
  "a\\b",
  "a%2e%2e",
  "a b",
  "a\u0000b",
  "münchen.de",
  "user@host",
  "host?x",
  "host#x",
  "[::1",
  "::1",
  "[]",
  "[:]",
  "[::g]",
  "[::1]x",
  "[::1]:",
  "[::1]]:80",
  "[[::1]]",
  "a".repeat(256),
];

const GOOD_MEDIA_IDS = ["a", "AbC_12-x", "SEkhJxosYqbEDPKSMPtAqRLv", "_", "-", "x".repeat(255)];
const BAD_MEDIA_IDS = ["", ".", "..", "a.b", "a/b", "a%2F", "a b", "a+b", "é", "a\n", "x".repeat(256)];

describe("mxc grammar", () => {
  it("accepts every server name form the spec allows", () => {
    for (const name of GOOD_SERVER_NAMES) assert.equal(isServerName(name), true, name);
  });

  it("refuses dots that are not between labels, and anything else outside the grammar", () => {
    for (const name of BAD_SERVER_NAMES) assert.equal(isServerName(name), false, JSON.stringify(name));
    for (const value of [undefined, null, 5, ["a"]]) assert.equal(isServerName(value), false, String(value));
  });

  it("accepts media ids of the spec's characters only", () => {
    for (const id of GOOD_MEDIA_IDS) assert.equal(isMediaId(id), true, id);
    for (const id of BAD_MEDIA_IDS) assert.equal(isMediaId(id), false, JSON.stringify(id));
  });

  it("parses an mxc only when both parts are valid", () => {
    assert.deepEqual(parseMxc("mxc://localhost/AbC_12-x"), { serverName: "localhost", mediaId: "AbC_12-x" });
    assert.deepEqual(parseMxc("mxc://[::1]:8448/id"), { serverName: "[::1]:8448", mediaId: "id" });
    for (const name of GOOD_SERVER_NAMES) assert.notEqual(parseMxc(`mxc://${name}/id`), null, name);
    for (const name of BAD_SERVER_NAMES) assert.equal(parseMxc(`mxc://${name}/id`), null, JSON.stringify(name));
    for (const id of BAD_MEDIA_IDS) assert.equal(parseMxc(`mxc://localhost/${id}`), null, JSON.stringify(id));
    for (const bad of ["mxc://../config", "mxc://s/../x", "mxc://s/a/b", "MXC://s/x", "mxc:/s/x", "https://s/x", "mxc:///x", "mxc://s/", "mxc://s", 5, undefined]) {
      assert.equal(parseMxc(bad), null, String(bad));
    }
  });

  it("drops an image whose mxc is outside the grammar from HTML for Matrix, and keeps a valid one", () => {
    assert.equal(sanitizeForMatrix('a <img src="mxc://../config" alt="x"> b'), "a  b");
    assert.equal(sanitizeForMatrix('<img src="mxc://hs/a..b">'), "");
    assert.equal(sanitizeForMatrix('<img src="mxc://hs.org/abc" alt="x">'), '<img src="mxc://hs.org/abc" alt="x" />');
    // A Gitter message showing such an image passes on its description, not the address.
    const out = gitterToMatrix({ text: "![cfg](mxc://../config)", html: '<img src="mxc://../config" alt="cfg">' }, gitterCtx);
    assert.doesNotMatch(out.formatted_body ?? "", /mxc:/);
  });
});
