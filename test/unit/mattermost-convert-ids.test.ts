import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ghostLocalpart, isValidMattermostId, isValidMattermostUsername, isValidRemoteUsername, usernameFromGhostLocalpart,
} from "../../src/mattermost/convert/ids";

const P = "mattermost_";

describe("Mattermost ids", () => {
  it("accepts what model.IsValidId accepts", () => {
    assert.equal(isValidMattermostId("qhr5x7a4bjgq9n1kgnsq3tmmzr"), true);
    assert.equal(isValidMattermostId("QHR5X7A4BJGQ9N1KGNSQ3TMMZR"), true, "IsValidId takes any letter");
    assert.equal(isValidMattermostId("qhr5x7a4bjgq9n1kgnsq3tmmz"), false, "25 chars");
    assert.equal(isValidMattermostId("qhr5x7a4bjgq9n1kgnsq3tmmzrx"), false, "27 chars");
    assert.equal(isValidMattermostId("qhr5x7a4bjgq9n1kgnsq3tmm/r"), false);
    assert.equal(isValidMattermostId("qhr5x7a4bjgq9n1kgnsq3tmm-r"), false);
    assert.equal(isValidMattermostId("ééééééééééééé"), true, "Go's len counts bytes: 13 two-byte letters pass");
    assert.equal(isValidMattermostId("é".repeat(26)), false, "26 runes are 52 bytes");
    assert.equal(isValidMattermostId(42), false);
  });

  it("accepts usernames as model.IsValidUsername does", () => {
    for (const ok of ["alice", "a", "john.doe", "x-y_z", "0day", "a".repeat(64)]) {
      assert.equal(isValidMattermostUsername(ok), true, ok);
    }
    for (const bad of ["", "Alice", "a b", "a@b", "a:b", "all", "channel", "matterbot", "system", "a".repeat(65), "é"]) {
      assert.equal(isValidMattermostUsername(bad), false, bad);
    }
    assert.equal(isValidRemoteUsername("bob:remote.example"), true);
    assert.equal(isValidRemoteUsername("all"), false);
  });
});

describe("ghost localparts", () => {
  it("uses a username as it is: all of its characters are allowed in a Matrix localpart", () => {
    assert.equal(ghostLocalpart(P, "john.doe-x_y"), "mattermost_john.doe-x_y");
    assert.equal(usernameFromGhostLocalpart(P, "mattermost_john.doe-x_y"), "john.doe-x_y");
  });

  it("encodes a shared channel's remote username, and reverses it", () => {
    assert.equal(ghostLocalpart(P, "bob:remote"), "mattermost_bob=3aremote");
    assert.equal(usernameFromGhostLocalpart(P, "mattermost_bob=3aremote"), "bob:remote");
  });

  it("round-trips every character a username may hold", () => {
    const names = ["a", "_", ".", "-", "0", "a:b", "...", "x".repeat(64), "z_:_z"];
    for (const name of names) assert.equal(usernameFromGhostLocalpart(P, ghostLocalpart(P, name)), name, name);
  });

  it("refuses localparts that are not ours or not canonical", () => {
    assert.equal(usernameFromGhostLocalpart(P, "gitter_alice"), null);
    assert.equal(usernameFromGhostLocalpart(P, "mattermost_"), null);
    assert.equal(usernameFromGhostLocalpart(P, "mattermost_=61lice"), null, "=61 is a second spelling of a");
    assert.equal(usernameFromGhostLocalpart(P, "mattermost_all"), null, "restricted name");
    assert.equal(usernameFromGhostLocalpart(P, "mattermost_a=zz"), null);
    assert.equal(usernameFromGhostLocalpart(P, "mattermost_a=3"), null);
  });

  it("refuses to build a localpart from something that is not a username, or with a bad prefix", () => {
    assert.throws(() => ghostLocalpart(P, "Alice"));
    assert.throws(() => ghostLocalpart(P, "a b"));
    assert.throws(() => ghostLocalpart("Mattermost_", "alice"));
    assert.throws(() => ghostLocalpart("mm:", "alice"));
  });
});
