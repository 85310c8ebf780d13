import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ownerReceipts } from "../../src/puppet/read-markers";

describe("reading receipt events", () => {
  it("keeps only the owner's read receipts, telling thread receipts from the main timeline", () => {
    const content = {
      $a: { "m.read": { "@alice:x": { ts: 1 }, "@bob:x": { ts: 2 } } },
      $b: { "m.read": { "@alice:x": { ts: 3, thread_id: "$root" } } },
      $c: { "m.read": { "@alice:x": { ts: 4, thread_id: "main" } }, "m.fully_read": { "@alice:x": { ts: 5 } } },
      $d: { "m.read.private": { "@alice:x": { ts: 6 } } },
      $e: { "m.read": { "@bob:x": { ts: 7 } } },
    };
    assert.deepEqual(ownerReceipts(content, "@alice:x"), [
      { eventId: "$a" },
      { eventId: "$b", threadId: "$root" },
      { eventId: "$c" },
      { eventId: "$d" },
    ]);
  });

  it("reads nothing from malformed content", () => {
    for (const junk of [null, "x", 5, { $a: null }, { $a: { "m.read": "x" } }]) assert.deepEqual(ownerReceipts(junk, "@alice:x"), []);
  });
});
