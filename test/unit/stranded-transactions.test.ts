// Which transaction the bridge refuses so that the homeserver sends one it left behind first
// (src/matrix/stranded-transactions.ts); the real Synapse case is test/e2e/stranded-transaction.test.ts.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { StrandedTransactionWatch, type Admission } from "../../src/matrix/stranded-transactions";

function watch(): { w: StrandedTransactionWatch; clock: { t: number } } {
  const clock = { t: 0 };
  return { w: new StrandedTransactionWatch(() => clock.t, 60_000, 0), clock };
}

/** Admits each id (with room events unless it ends in "e", for ephemeral only) and lists the answers. */
function admitAll(w: StrandedTransactionWatch, ids: string[]): Admission[] {
  return ids.map((id) => (id.endsWith("e") ? w.admit(id.slice(0, -1), false) : w.admit(id, true)));
}

describe("spotting a transaction the homeserver left behind", () => {
  it("accepts consecutive ids, repeats, and ids that start again at 1 (Synapse on SQLite after a restart)", () => {
    const { w } = watch();
    assert.deepEqual(admitAll(w, ["1", "2", "3", "3", "4", "1", "2", "3"]), Array(8).fill("accept"));
  });

  it("refuses the transaction after a skipped id, takes the older ones, then the refused one again", () => {
    const { w } = watch();
    // 16 was left behind; Synapse, marked down by the refusal of 17, sends 16 then 17, then 18 made meanwhile.
    assert.deepEqual(admitAll(w, ["14", "15", "17", "16", "17", "18", "19"]), ["accept", "accept", "recover", "accept", "accept", "accept", "accept"]);
  });

  it("refuses newer ids sent before the homeserver took the refusal in, until the refused one is back", () => {
    const { w } = watch();
    assert.deepEqual(admitAll(w, ["1", "2", "4", "5", "3", "4", "5"]), ["accept", "accept", "recover", "refuse", "accept", "accept", "accept"]);
  });

  it("stops waiting for the refused id after a while", () => {
    const { w, clock } = watch();
    assert.deepEqual(admitAll(w, ["1", "2", "4", "5"]), ["accept", "accept", "recover", "refuse"]);
    clock.t = 60_000;
    assert.deepEqual(admitAll(w, ["6", "7", "8", "10"]), ["accept", "accept", "accept", "recover"]);
  });

  it("lets a transaction without room events through and refuses the next one with room events", () => {
    const { w } = watch();
    assert.deepEqual(admitAll(w, ["1", "2", "4e", "5e", "6", "3", "6"]), ["accept", "accept", "accept", "accept", "recover", "accept", "accept"]);
  });

  it("never refuses an older id, whether the one left behind or a transaction sent again, even after a gap", () => {
    const { w } = watch();
    // 4 came with no room events after a gap; 2 is sent again by hand and 3 arrives late: both are taken.
    assert.deepEqual(admitAll(w, ["1", "2", "4e", "2", "3", "5", "6"]), Array(7).fill("accept"));
    // Counting again from 1 (Synapse on SQLite after a restart): a gap after that is seen again.
    assert.deepEqual(admitAll(w, ["1", "2", "4"]), ["accept", "accept", "recover"]);
  });

  it("leaves alone ids that do not come one after the other (other appservices, other homeservers)", () => {
    const { w } = watch();
    assert.deepEqual(admitAll(w, ["3", "7", "12", "20", "31", "40"]), Array(6).fill("accept"));
    assert.deepEqual(admitAll(w, ["txn-a", "txn-b", "1700000000000"]), Array(3).fill("accept"));
  });

  it("needs a step seen: with nothing received before it started, the first ids are taken as they come", () => {
    const { w } = watch();
    assert.deepEqual(admitAll(w, ["40", "42", "43", "45"]), ["accept", "accept", "accept", "recover"]);
  });

  it("goes on from the newest id an earlier process received: a gap across a restart is a gap", () => {
    const { w } = watch();
    w.resume({ txnId: "41", afterPrevious: true });
    assert.deepEqual(admitAll(w, ["43", "42", "43", "44"]), ["recover", "accept", "accept", "accept"]);
  });

  it("after a restart, takes the next id, the last one again, a count started again, and a gap not after a step", () => {
    const next = watch().w;
    next.resume({ txnId: "41", afterPrevious: true });
    assert.deepEqual(admitAll(next, ["42", "41", "43"]), Array(3).fill("accept"));
    const counting = watch().w;
    counting.resume({ txnId: "41", afterPrevious: true });
    assert.deepEqual(admitAll(counting, ["1", "2", "4"]), ["accept", "accept", "recover"]);
    const neighbours = watch().w;
    neighbours.resume({ txnId: "41", afterPrevious: false });
    assert.deepEqual(admitAll(neighbours, ["45", "47"]), ["accept", "accept"]);
  });

  it("ignores a newest id that is not a number, or comes once transactions were admitted", () => {
    const { w } = watch();
    w.resume(null);
    w.resume({ txnId: "txn-a", afterPrevious: true });
    assert.deepEqual(admitAll(w, ["7"]), ["accept"]);
    w.resume({ txnId: "3", afterPrevious: true });
    assert.deepEqual(admitAll(w, ["8", "10"]), ["accept", "recover"]);
  });

  it("acts on a gap at most once per interval, since a gap may be another appservice's", () => {
    const clock = { t: 0 };
    const w = new StrandedTransactionWatch(() => clock.t, 60_000, 10 * 60_000);
    assert.deepEqual(admitAll(w, ["1", "2", "4", "4", "5", "6", "9"]), ["accept", "accept", "recover", "accept", "accept", "accept", "accept"]);
    clock.t = 10 * 60_000 - 1;
    assert.deepEqual(admitAll(w, ["10", "12"]), ["accept", "accept"]);
    clock.t = 10 * 60_000;
    assert.deepEqual(admitAll(w, ["13", "15"]), ["accept", "recover"]);
  });

  it("acts on the next gap at once after a recovery that brought one back: Synapse may leave another as it ends", () => {
    const clock = { t: 0 };
    const w = new StrandedTransactionWatch(() => clock.t, 60_000, 10 * 60_000);
    assert.deepEqual(admitAll(w, ["1", "2", "4", "3", "4", "5", "7", "6", "7"]), ["accept", "accept", "recover", "accept", "accept", "accept", "recover", "accept", "accept"]);
    clock.t = 1000;
    assert.deepEqual(admitAll(w, ["9", "9", "10", "12"]), ["recover", "accept", "accept", "accept"], "nothing came back: an interval again");
  });
});
