// Opening and closing one room's portal take turns (src/puppet/room-turns.ts); the real crossing of gpart, Gitter's
// pushes and the session's start is test/e2e/fidelity-rooms.test.ts.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RoomTurns } from "../../src/puppet/room-turns";

/** A step that records its start and end, and ends when `release` is called. */
function step(log: string[], name: string) {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  return {
    run: async () => {
      log.push(`${name} start`);
      await gate;
      log.push(`${name} end`);
      return name;
    },
    release: () => release(),
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe("a room's openings and closings taking turns", () => {
  it("closes after an opening in progress, not before it (a gpart while the start still makes the portal)", async () => {
    const turns = new RoomTurns<string>();
    const log: string[] = [];
    const open = step(log, "open");
    const close = step(log, "close");
    const opened = turns.open("r", open.run);
    const closed = turns.close("r", async () => void (await close.run()));
    assert.equal(turns.isOpening("r"), false, "a close is asked for after the opening");
    await tick();
    open.release();
    close.release();
    await Promise.all([opened, closed]);
    assert.deepEqual(log, ["open start", "open end", "close start", "close end"]);
  });

  it("opens after a close in progress, and shares an opening or a close already running", async () => {
    const turns = new RoomTurns<string>();
    const log: string[] = [];
    const close = step(log, "close");
    const open = step(log, "open");
    const closed = turns.close("r", async () => void (await close.run()));
    assert.equal(turns.close("r", () => Promise.reject(new Error("a second close must not run"))), closed);
    const opened = turns.open("r", open.run);
    assert.equal(turns.isOpening("r"), true);
    assert.equal(turns.open("r", () => Promise.reject(new Error("a second opening must not run"))), opened);
    await tick();
    close.release();
    open.release();
    assert.equal(await opened, "open");
    assert.deepEqual(log, ["close start", "close end", "open start", "open end"]);
    assert.equal(turns.isOpening("r"), false);
  });

  it("runs a close asked for after a reopening, though an older close is still running", async () => {
    const turns = new RoomTurns<string>();
    const log: string[] = [];
    const [close1, open, close2] = [step(log, "close1"), step(log, "open"), step(log, "close2")];
    void turns.close("r", async () => void (await close1.run()));
    void turns.open("r", open.run);
    const last = turns.close("r", async () => void (await close2.run()));
    for (const s of [close1, open, close2]) {
      await tick();
      s.release();
    }
    await last;
    assert.deepEqual(log, ["close1 start", "close1 end", "open start", "open end", "close2 start", "close2 end"]);
  });

  it("goes on after a failed turn, and keeps rooms apart", async () => {
    const turns = new RoomTurns<string>();
    const failed = turns.open("r", () => Promise.reject(new Error("homeserver down")));
    const closed = turns.close("r", async () => undefined);
    await assert.rejects(failed, /homeserver down/);
    await closed;
    const other = step([], "other");
    const pending = turns.open("s", other.run);
    assert.equal(await turns.open("r", async () => "r"), "r", "room r does not wait for room s");
    other.release();
    await pending;
  });
});
