import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  MatrixIds,
  escapeLocalpart,
  isValidLocalpart,
  splitUserId,
  unescapeLocalpart,
  userId,
} from "../../src/matrix/ids";

const ids = new MatrixIds({ domain: "example.org", botLocalpart: "gitterbot", ghostPrefix: "gitter_" });

describe("escapeLocalpart", () => {
  const cases: [string, string][] = [
    ["alice", "alice"],
    ["alice-b.c9", "alice-b.c9"],
    ["Alice", "_alice"],
    ["MadLittleMods", "_mad_little_mods"],
    ["snake_case", "snake__case"],
    ["_", "__"],
    ["a=b", "a=3db"],
    ["a/b", "a=2fb"],
    ["a+b", "a=2bb"],
    ["a b", "a=20b"],
    ["a:b", "a=3ab"],
    ["@x", "=40x"],
    ["é", "=c3=a9"],
    ["日本", "=e6=97=a5=e6=9c=ac"],
    ["😀", "=f0=9f=98=80"],
    ["", ""],
  ];
  for (const [raw, escaped] of cases) {
    it(`${JSON.stringify(raw)} -> ${JSON.stringify(escaped)}`, () => {
      assert.equal(escapeLocalpart(raw), escaped);
      assert.equal(unescapeLocalpart(escaped), raw);
    });
  }

  it("always yields a valid localpart for a non-empty input", () => {
    for (const raw of ["A", "ALLCAPS", "x y z", "a\u0000b", "tab\there", "ünïcödé", "((()))", "name_gitlab", "%41"]) {
      assert.ok(isValidLocalpart(escapeLocalpart(raw)), raw);
    }
  });

  it("keeps names that differ only in case apart", () => {
    assert.notEqual(escapeLocalpart("Alice"), escapeLocalpart("alice"));
    assert.notEqual(escapeLocalpart("a_b"), escapeLocalpart("aB"));
  });
});

describe("unescapeLocalpart", () => {
  it("rejects spellings escapeLocalpart never produces", () => {
    for (const bad of ["_", "_1", "_A", "a_", "=", "=4", "=zz", "=41", "=61", "=2D", "A", "a/b", "a+b", "a:b", "=ff", "=c3"]) {
      assert.equal(unescapeLocalpart(bad), null, bad);
    }
  });
});

describe("userId and splitUserId", () => {
  it("builds and splits ids, keeping a port in the domain", () => {
    assert.equal(userId("bot", "example.org"), "@bot:example.org");
    assert.deepEqual(splitUserId("@bot:localhost:8448"), { localpart: "bot", domain: "localhost:8448" });
  });

  it("refuses invalid localparts and domains", () => {
    assert.throws(() => userId("Bot", "example.org"));
    assert.throws(() => userId("", "example.org"));
    assert.throws(() => userId("bot", ""));
    assert.throws(() => userId("bot", "exa mple.org"));
  });

  it("does not split what is not a user id", () => {
    for (const bad of ["bot:example.org", "@:example.org", "@bot", "@bot:", "!room:example.org", ""]) {
      assert.equal(splitUserId(bad), null, bad);
    }
  });
});

describe("MatrixIds", () => {
  it("builds the bot id", () => {
    assert.equal(ids.botMxid, "@gitterbot:example.org");
    assert.ok(ids.isBot("@gitterbot:example.org"));
    assert.ok(!ids.isBot("@gitterbot:other.org"));
    assert.ok(!ids.isGhost(ids.botMxid));
  });

  it("builds ghost ids with the prefix", () => {
    assert.equal(ids.ghostMxid("alice"), "@gitter_alice:example.org");
    assert.equal(ids.ghostMxid("Alice"), "@gitter__alice:example.org");
    assert.equal(ids.ghostLocalpart("bob_smith"), "gitter_bob__smith");
    assert.throws(() => ids.ghostMxid(""));
  });

  it("round-trips odd usernames", () => {
    const odd = [
      "alice",
      "Alice",
      "MadLittleMods",
      "__init__",
      "name_gitlab",
      "name_twitter",
      "a.b-c",
      "=",
      "==x==",
      "a/b",
      "o'brien",
      "jürgen",
      "李小龍",
      "emoji😀",
      "UPPER_lower_123",
      "_a",
      "=61",
    ];
    for (const name of odd) {
      const mxid = ids.ghostMxid(name);
      assert.ok(isValidLocalpart(splitUserId(mxid)!.localpart), mxid);
      assert.equal(ids.parseGhost(mxid), name, mxid);
      assert.ok(ids.isGhost(mxid));
      assert.ok(ids.isOurs(mxid));
    }
  });

  it("gives distinct ids to distinct usernames", () => {
    const names = ["ab", "Ab", "aB", "a_b", "a__b", "_ab", "a=b", "a=3db", "A_b"];
    const mxids = new Set(names.map((n) => ids.ghostMxid(n)));
    assert.equal(mxids.size, names.length);
  });

  it("parses only our own ghosts", () => {
    for (const other of [
      "@alice:example.org",
      "@gitter_alice:other.org",
      "@gitter_:example.org",
      "@gitter_A:example.org",
      "@gitter__:example.org",
      "@gitter_=zz:example.org",
      "@gitter_==abc:example.org",
      "@gitter_x==0123456789abcdef0123456:example.org",
      "@xgitter_alice:example.org",
      "gitter_alice",
      "!gitter_alice:example.org",
      "",
    ]) {
      assert.equal(ids.parseGhost(other), null, other);
      assert.ok(!ids.isGhost(other), other);
    }
    assert.ok(!ids.isOurs("@alice:example.org"));
    assert.ok(ids.isOurs(ids.botMxid));
  });

  it("shortens ids of usernames too long for a Matrix id, stably, and maps them back", () => {
    const long = [
      "x".repeat(300),
      "Long_Gitlab_Name".repeat(20),
      "日本".repeat(60),
      `${"a".repeat(240)}\u0000${"b".repeat(20)}`,
      "lone\ud800surrogate",
    ];
    for (const name of long) {
      const mxid = ids.ghostMxid(name);
      assert.ok(Buffer.byteLength(mxid) <= 255, `${mxid.length}: ${mxid}`);
      assert.ok(isValidLocalpart(splitUserId(mxid)!.localpart), mxid);
      assert.match(mxid, /^@gitter_[a-z0-9._=-]*==[0-9a-f]{24}:example\.org$/);
      assert.ok(ids.isShortened(name));
      assert.equal(ids.parseGhost(mxid), name, "the ids that built it map it back");
      const restarted = new MatrixIds({ domain: "example.org", botLocalpart: "gitterbot", ghostPrefix: "gitter_" });
      assert.ok(restarted.isGhost(mxid) && restarted.isOurs(mxid), "ours even before its username is learnt");
      assert.equal(restarted.parseGhost(mxid), null, "unknown until learnt");
      restarted.learn(name);
      assert.equal(restarted.parseGhost(mxid), name);
      assert.equal(restarted.ghostMxid(name), mxid, "the same id after a restart");
    }
    assert.equal(ids.ghostMxid("x".repeat(300)), `@gitter_${"x".repeat(209)}==0d4e2ca9e9cbced7a7a5380e:example.org`);
    assert.ok(!ids.isShortened("alice"));
  });

  it("keeps shortened ids of names that share a long head apart", () => {
    const head = "y".repeat(300);
    assert.notEqual(ids.ghostMxid(`${head}1`), ids.ghostMxid(`${head}2`));
  });

  it("uses the whole 255 bytes before shortening", () => {
    const fits = "z".repeat(255 - "@gitter_:example.org".length);
    assert.equal(ids.ghostMxid(fits), `@gitter_${fits}:example.org`);
    assert.equal(ids.ghostMxid(fits).length, 255);
    assert.ok(ids.isShortened(`${fits}z`));
    assert.ok(ids.isShortened("Z".repeat(120)), "escaping doubles upper case: 240 characters");
  });

  it("keeps the bot out of the ghost namespace even when its localpart has the prefix", () => {
    const overlapping = new MatrixIds({ domain: "example.org", botLocalpart: "gitter_bot", ghostPrefix: "gitter_" });
    assert.equal(overlapping.parseGhost("@gitter_bot:example.org"), null);
    assert.ok(overlapping.isBot("@gitter_bot:example.org"));
  });

  it("rejects a configuration that cannot produce valid ids", () => {
    assert.throws(() => new MatrixIds({ domain: "example.org", botLocalpart: "Bot", ghostPrefix: "gitter_" }));
    assert.throws(() => new MatrixIds({ domain: "example.org", botLocalpart: "bot", ghostPrefix: "Gitter" }));
    assert.throws(() => new MatrixIds({ domain: "", botLocalpart: "bot", ghostPrefix: "gitter_" }));
  });
});
