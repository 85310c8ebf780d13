// RoomFeed: exactly-once, in-order delivery when pushes race the REST catch-up.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { RoomFeed } from "../../src/gitter/realtime-room";
import type { GitterMessage } from "../../src/gitter/types";

const id = (n: number) => n.toString(16).padStart(24, "0");
const BASE = id(0);

function msg(n: number, v = 1, text = `m${n}`): GitterMessage {
  return {
    id: id(n),
    text,
    html: text,
    sent: "2020-01-01T00:00:00.000Z",
    fromUser: { id: "u", username: "u", displayName: "u", url: "/u" },
    v,
  };
}

/** Message n as Gitter pushes it after an edit to `text`. */
function edited(n: number, v: number, text: string): GitterMessage {
  return { ...msg(n, v, text), editedAt: "2020-01-01T00:01:00.000Z" };
}

function feed(last: number | null = null) {
  const out: string[] = [];
  const f = new RoomFeed("room", last === null ? null : id(last), BASE, {
    message: (roomId, m) => out.push(`message ${parseInt(m.id, 16)}${roomId === "room" ? "" : ` in ${roomId}`}`),
    update: (roomId, m) => out.push(`update ${parseInt(m.id, 16)} v${m.v}${roomId === "room" ? "" : ` in ${roomId}`}`),
    remove: (roomId, mid) => out.push(`remove ${parseInt(mid, 16)}${roomId === "room" ? "" : ` in ${roomId}`}`),
  });
  return { f, out };
}

/** A history of messages 1..n served in pages of `size`, recording each afterId asked for. */
function history(n: number, size: number) {
  const asked: number[] = [];
  const all = Array.from({ length: n }, (_, i) => msg(i + 1));
  const fetch = async (_room: string, afterId: string) => {
    asked.push(parseInt(afterId, 16));
    return all.filter((m) => m.id > afterId).slice(0, size);
  };
  return { all, asked, fetch };
}

describe("RoomFeed catch-up", () => {
  it("holds pushes until the catch-up is done, then replays them without duplicates", async () => {
    const { f, out } = feed(2);
    const h = history(5, 2);
    f.push("create", msg(5));
    f.push("create", msg(4));
    f.push("create", msg(6));
    assert.deepEqual(out, []);
    assert.equal(await f.catchUp(h.fetch), true);
    assert.deepEqual(out, ["message 3", "message 4", "message 5", "message 6"]);
    assert.deepEqual(h.asked, [2, 4, 5]);
    f.push("create", msg(6));
    f.push("create", msg(7));
    assert.deepEqual(out.slice(4), ["message 7"]);
  });

  it("stops at a short page when the page size is known", async () => {
    const { f, out } = feed(0);
    const h = history(3, 2);
    await f.catchUp(h.fetch, 2);
    assert.deepEqual(out, ["message 1", "message 2", "message 3"]);
    assert.deepEqual(h.asked, [0, 2]);
  });

  it("starts from the baseline when nothing was delivered yet", async () => {
    const { f, out } = feed(null);
    const h = history(2, 10);
    await f.catchUp(h.fetch);
    assert.deepEqual(out, ["message 1", "message 2"]);
    assert.deepEqual(h.asked, [0, 2]);
  });

  it("catches up from a snapshot that reaches back to the last delivered id, without fetching", async () => {
    const { f, out } = feed(3);
    const h = history(6, 10);
    f.push("create", msg(6));
    assert.equal(await f.catchUp(h.fetch, 10, { messages: [msg(2), msg(3), msg(4), msg(5)], limit: 4 }), true);
    assert.deepEqual(out, ["message 4", "message 5", "message 6"]);
    assert.deepEqual(h.asked, []);
  });

  it("takes a snapshot holding fewer messages than asked for as the whole room", async () => {
    const { f, out } = feed(null);
    const h = history(2, 10);
    await f.catchUp(h.fetch, 10, { messages: [msg(1), msg(2)], limit: 5 });
    assert.deepEqual(out, ["message 1", "message 2"]);
    assert.deepEqual(h.asked, []);
  });

  it("fetches over REST when the snapshot does not reach back far enough", async () => {
    const { f, out } = feed(1);
    const h = history(5, 10);
    await f.catchUp(h.fetch, 10, { messages: [msg(4), msg(5)], limit: 2 });
    assert.deepEqual(out, ["message 2", "message 3", "message 4", "message 5"]);
    assert.deepEqual(h.asked, [1]);
  });

  it("gives up an interrupted catch-up and lets the next one deliver", async () => {
    const { f, out } = feed(0);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = async () => {
      await gate;
      return [msg(1)];
    };
    const first = f.catchUp(slow);
    f.interrupt();
    release();
    assert.equal(await first, false);
    assert.deepEqual(out, []);
    assert.equal(f.holding, true);
    await f.catchUp(history(1, 10).fetch);
    assert.deepEqual(out, ["message 1"]);
  });

  it("keeps holding when a fetch fails, and delivers on the next attempt", async () => {
    const { f, out } = feed(0);
    f.push("create", msg(2));
    await assert.rejects(f.catchUp(async () => Promise.reject(new Error("429"))));
    assert.equal(f.holding, true);
    assert.deepEqual(out, []);
    await f.catchUp(history(2, 10).fetch);
    assert.deepEqual(out, ["message 1", "message 2"]);
  });
});

describe("RoomFeed edits and deletes", () => {
  it("applies only newer edits of delivered messages", async () => {
    const { f, out } = feed(0);
    await f.catchUp(history(1, 10).fetch);
    f.push("update", edited(1, 3, "third"));
    f.push("update", edited(1, 2, "second"));
    f.push("update", edited(1, 3, "third"));
    f.push("patch", { ...msg(1), v: 4 });
    f.push("update", edited(9, 2, "never seen"));
    assert.deepEqual(out, ["message 1", "update 1 v3"]);
  });

  it("takes an update that changed neither text nor html (a thread reply counted) for no edit, but keeps its version", async () => {
    const { f, out } = feed(0);
    await f.catchUp(history(2, 10).fetch);
    f.push("update", { ...msg(1, 2), threadMessageCount: 1 });
    f.push("update", edited(1, 3, "now edited"));
    f.push("update", { ...edited(1, 4, "now edited"), threadMessageCount: 2 });
    f.push("update", edited(1, 3, "now edited"));
    f.push("update", { ...msg(2, 2), text: "" , html: "" });
    assert.deepEqual(out, ["message 1", "message 2", "update 1 v3", "update 2 v2"], "the blanked root is a deletion");
  });

  it("falls back on editedAt for a message delivered before it was watched", async () => {
    const { f, out } = feed(5);
    await f.catchUp(async () => []);
    f.push("update", { ...msg(1, 2), threadMessageCount: 1 });
    f.push("update", edited(2, 2, "changed"));
    f.push("update", { ...msg(3, 2), text: "", html: "" });
    assert.deepEqual(out, ["update 2 v2", "update 3 v2"]);
  });

  it("replays held edits and deletes after their creates", async () => {
    const { f, out } = feed(0);
    f.push("update", edited(2, 2, "m2 edited"));
    f.push("create", msg(2));
    f.push("remove", { ...msg(2), id: id(2) });
    f.push("remove", { ...msg(7), id: id(7) });
    await f.catchUp(async () => []);
    assert.deepEqual(out, ["message 2", "update 2 v2", "remove 2"]);
  });

  it("drops an edit the catch-up already returned", async () => {
    const { f, out } = feed(0);
    f.push("update", msg(1, 2));
    await f.catchUp(async (_r, after) => (after === id(0) ? [msg(1, 2, "edited")] : []));
    assert.deepEqual(out, ["message 1"]);
  });
});
