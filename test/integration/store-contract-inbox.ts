// Contract section for the transaction inbox: a homeserver transaction is recorded once, atomically, before
// it is acknowledged, and its events are then worked off in arrival order.
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { drainInbox, uniq, type ContractContext } from "./store-contract-util";

export function inboxContract(ctx: ContractContext): void {
  describe("transaction inbox", () => {
    beforeEach(() => drainInbox(ctx.store()));
    acceptContract(ctx);
    processingContract(ctx);
    concurrencyContract(ctx);
  });
}

function ev(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { event_id: id, type: "m.room.message", room_id: "!r:example.org", content: { body: `b ${id}` }, ...extra };
}

function acceptContract(ctx: ContractContext): void {
  it("records a transaction's events in order, as pending", async () => {
    const u = uniq();
    const events = [ev(`$1-${u}`), ev(`$2-${u}`, { content: { nested: [1, "two", null] } }), ev(`$3-${u}`)];
    assert.equal(await ctx.store().inbox.acceptTransaction(`t-${u}`, events, 1000), true);
    const pending = await ctx.store().inbox.pendingEvents(10);
    assert.deepEqual(
      pending.map((p) => ({ txnId: p.txnId, event: p.event })),
      events.map((event) => ({ txnId: `t-${u}`, event })),
    );
    const seqs = pending.map((p) => p.seq);
    assert.deepEqual([...seqs].sort((a, b) => a - b), seqs);
    assert.equal(new Set(seqs).size, 3);
    assert.equal(await ctx.store().inbox.countPending(), 3);
  });

  it("returns false for a replayed transaction id and writes nothing", async () => {
    const u = uniq();
    const receipt = { type: "m.receipt", content: { [`$a-${u}`]: {} } };
    assert.equal(await ctx.store().inbox.acceptTransaction(`t-${u}`, [ev(`$a-${u}`), receipt], 1000), true);
    assert.equal(await ctx.store().inbox.acceptTransaction(`t-${u}`, [ev(`$a-${u}`), receipt], 2000), false);
    assert.equal(await ctx.store().inbox.acceptTransaction(`t-${u}`, [receipt], 2500), false);
    assert.deepEqual((await ctx.store().inbox.pendingEvents(10)).map((p) => p.event.type), ["m.room.message", "m.receipt"]);
  });

  it("keeps new events under a reused transaction id: Synapse on SQLite counts from 1 again after a restart", async () => {
    const u = uniq();
    const receipt = { type: "m.receipt", content: { [`$b-${u}`]: {} } };
    assert.equal(await ctx.store().inbox.acceptTransaction(`t-${u}`, [ev(`$a-${u}`)], 1000), true);
    await drainInbox(ctx.store());
    assert.equal(await ctx.store().inbox.acceptTransaction(`t-${u}`, [ev(`$a-${u}`), ev(`$b-${u}`), receipt], 2000), true);
    const pending = await ctx.store().inbox.pendingEvents(10);
    assert.deepEqual(pending.map((p) => p.event.event_id ?? p.event.type), [`$b-${u}`, "m.receipt"]);
    assert.equal(await ctx.store().inbox.acceptTransaction(`t-${u}`, [ev(`$b-${u}`), receipt], 3000), false, "then a replay again");
    assert.equal(await ctx.store().inbox.countPending(), 2);
  });

  it("prunes old transactions whose events are all processed, keeping recent and pending ones", async () => {
    const u = uniq();
    const inbox = ctx.store().inbox;
    await inbox.acceptTransaction(`old-${u}`, [ev(`$old-${u}`)], 1000);
    await inbox.acceptTransaction(`recent-${u}`, [ev(`$recent-${u}`)], 5000);
    await drainInbox(ctx.store());
    await inbox.acceptTransaction(`pending-${u}`, [ev(`$pending-${u}`)], 1000);
    assert.ok((await inbox.pruneProcessed(3000)) >= 1);
    assert.deepEqual((await inbox.pendingEvents(10)).map((p) => p.event.event_id), [`$pending-${u}`], "a pending one stays");
    assert.equal(await inbox.acceptTransaction(`recent-${u}`, [ev(`$recent-${u}`)], 6000), false, "a recent one is still known");
    assert.equal(await inbox.acceptTransaction(`old-${u}`, [ev(`$old-${u}`)], 6000), true, "an old one is forgotten");
  });

  it("still rejects a replay after its events were processed", async () => {
    const u = uniq();
    await ctx.store().inbox.acceptTransaction(`t-${u}`, [ev(`$a-${u}`)], 1000);
    await drainInbox(ctx.store());
    assert.equal(await ctx.store().inbox.acceptTransaction(`t-${u}`, [ev(`$a-${u}`)], 2000), false);
    assert.equal(await ctx.store().inbox.countPending(), 0);
  });

  it("skips events already in the inbox, from this or an earlier transaction", async () => {
    const u = uniq();
    await ctx.store().inbox.acceptTransaction(`t1-${u}`, [ev(`$a-${u}`)], 1000);
    await drainInbox(ctx.store());
    const second = [ev(`$a-${u}`), ev(`$b-${u}`), ev(`$b-${u}`, { content: { body: "dup" } }), ev(`$c-${u}`)];
    assert.equal(await ctx.store().inbox.acceptTransaction(`t2-${u}`, second, 2000), true);
    const pending = await ctx.store().inbox.pendingEvents(10);
    assert.deepEqual(
      pending.map((p) => p.event.event_id),
      [`$b-${u}`, `$c-${u}`],
    );
    assert.deepEqual(pending[0]!.event, ev(`$b-${u}`));
  });

  it("keeps every event without an event_id", async () => {
    const u = uniq();
    const typing = { type: "m.typing", content: { user_ids: [] } };
    assert.equal(await ctx.store().inbox.acceptTransaction(`t-${u}`, [typing, typing, ev(`$x-${u}`)], 1000), true);
    assert.equal(await ctx.store().inbox.countPending(), 3);
  });

  it("accepts an empty transaction once", async () => {
    const u = uniq();
    assert.equal(await ctx.store().inbox.acceptTransaction(`empty-${u}`, [], 1000), true);
    assert.equal(await ctx.store().inbox.acceptTransaction(`empty-${u}`, [], 1000), false);
    assert.equal(await ctx.store().inbox.countPending(), 0);
  });

  it("names the transaction received last, a replay or one without events included, and whether the id before it came", async () => {
    const inbox = ctx.store().inbox;
    const base = 1e14 + Math.floor(Math.random() * 1e13); // decimal ids of no other test
    const later = Date.now() + 1e9; // after every other test's transactions
    await inbox.acceptTransaction(String(base), [ev(`$n-${base}`)], later);
    assert.deepEqual(await inbox.newestTransaction(), { txnId: String(base), afterPrevious: false });
    await inbox.acceptTransaction(String(base + 1), [], later + 1);
    assert.deepEqual(await inbox.newestTransaction(), { txnId: String(base + 1), afterPrevious: true });
    await inbox.acceptTransaction(String(base), [ev(`$n-${base}`)], later + 2);
    assert.deepEqual(await inbox.newestTransaction(), { txnId: String(base), afterPrevious: false }, "received again");
    await inbox.acceptTransaction(String(base + 3), [], later + 3);
    await inbox.acceptTransaction(String(base + 2), [], later + 3);
    assert.deepEqual(await inbox.newestTransaction(), { txnId: String(base + 3), afterPrevious: true }, "same time: the larger id");
  });

  it("writes nothing when recording fails part way, so the retry is accepted", async () => {
    const u = uniq();
    // A BigInt cannot be serialised: the second event fails after the txn id and first event were written.
    const broken = [ev(`$ok-${u}`), ev(`$bad-${u}`, { n: 1n })];
    await assert.rejects(ctx.store().inbox.acceptTransaction(`t-${u}`, broken, 1000));
    assert.equal(await ctx.store().inbox.countPending(), 0);
    assert.equal(await ctx.store().inbox.acceptTransaction(`t-${u}`, [ev(`$ok-${u}`), ev(`$bad-${u}`)], 2000), true);
    assert.equal(await ctx.store().inbox.countPending(), 2);
  });
}

function processingContract(ctx: ContractContext): void {
  it("hands out the oldest pending events first, up to the limit", async () => {
    const u = uniq();
    await ctx.store().inbox.acceptTransaction(`t1-${u}`, [ev(`$1-${u}`), ev(`$2-${u}`)], 1000);
    await ctx.store().inbox.acceptTransaction(`t2-${u}`, [ev(`$3-${u}`)], 1000);
    const ids = async (limit: number) => (await ctx.store().inbox.pendingEvents(limit)).map((p) => p.event.event_id);
    assert.deepEqual(await ids(2), [`$1-${u}`, `$2-${u}`]);
    assert.deepEqual(await ids(1), [`$1-${u}`]);
    assert.deepEqual(await ids(50), [`$1-${u}`, `$2-${u}`, `$3-${u}`]);
  });

  it("removes processed events from the pending list, once and for all", async () => {
    const u = uniq();
    await ctx.store().inbox.acceptTransaction(`t-${u}`, [ev(`$1-${u}`), ev(`$2-${u}`), ev(`$3-${u}`)], 1000);
    const [first, second] = await ctx.store().inbox.pendingEvents(10);
    await ctx.store().inbox.markProcessed(second!.seq);
    assert.deepEqual((await ctx.store().inbox.pendingEvents(10)).map((p) => p.seq), [first!.seq, second!.seq + 1]);
    assert.equal(await ctx.store().inbox.countPending(), 2);
    await ctx.store().inbox.markProcessed(second!.seq);
    await ctx.store().inbox.markProcessed(first!.seq);
    assert.deepEqual((await ctx.store().inbox.pendingEvents(10)).map((p) => p.event.event_id), [`$3-${u}`]);
    assert.equal(await ctx.store().inbox.countPending(), 1);
  });

  it("forgets a handled event's content, keeping its ids, and a pending one's not", async () => {
    const u = uniq();
    const inbox = ctx.store().inbox;
    const secret = ev(`$secret-${u}`, { content: { msgtype: "m.text", body: `login token tok${u}` } });
    const receipt = { type: "m.receipt", content: { [`$secret-${u}`]: { "m.read": { [`@r${u}:x`]: { ts: 1 } } } } };
    await inbox.acceptTransaction(`t-${u}`, [ev(`$plain-${u}`), secret, receipt, ev(`$later-${u}`)], 1000);
    const [plain, carrying, read] = await inbox.pendingEvents(3);
    await inbox.markProcessed(plain!.seq);
    await inbox.markProcessed(carrying!.seq, { wipe: true });
    await inbox.markProcessed(read!.seq);
    assert.equal(await inbox.forgetHandledContent(), 0, "nothing handled still has content");
    const rows = (await ctx.rawRows("inbox_events")).filter((r) => r.txn_id === `t-${u}`);
    const text = JSON.stringify(rows);
    for (const gone of [`tok${u}`, `b $plain-${u}`, `@r${u}:x`]) assert.ok(!text.includes(gone), `${gone} is still stored`);
    assert.ok(text.includes(`b $later-${u}`), "the pending event keeps its content");
    assert.deepEqual(rows.map((r) => r.event_id).sort(), [`$later-${u}`, `$plain-${u}`, `$secret-${u}`, null].sort());
    assert.deepEqual((await inbox.pendingEvents(10)).map((p) => p.event.event_id), [`$later-${u}`]);
    await inbox.acceptTransaction(`t2-${u}`, [secret], 2000);
    assert.deepEqual((await inbox.pendingEvents(10)).map((p) => p.event.event_id), [`$later-${u}`], "a handled event is still known");
  });

  it("ignores marking an unknown seq", async () => {
    const u = uniq();
    await ctx.store().inbox.acceptTransaction(`t-${u}`, [ev(`$1-${u}`)], 1000);
    const [only] = await ctx.store().inbox.pendingEvents(1);
    await ctx.store().inbox.markProcessed(only!.seq + 1_000_000);
    assert.equal(await ctx.store().inbox.countPending(), 1);
  });
}

function concurrencyContract(ctx: ContractContext): void {
  it("accepts a transaction exactly once when two processes receive it at the same time", async () => {
    const u = uniq();
    const other = await ctx.open();
    try {
      const events = [ev(`$1-${u}`), ev(`$2-${u}`)];
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => (i % 2 ? other : ctx.store()).inbox.acceptTransaction(`t-${u}`, events, i)),
      );
      assert.equal(results.filter(Boolean).length, 1);
      assert.deepEqual((await other.inbox.pendingEvents(10)).map((p) => p.event.event_id), [`$1-${u}`, `$2-${u}`]);
    } finally {
      await other.close();
    }
  });

  it("records an event once when two transactions carrying it race", async () => {
    const u = uniq();
    const other = await ctx.open();
    try {
      const results = await Promise.all([
        ctx.store().inbox.acceptTransaction(`ta-${u}`, [ev(`$shared-${u}`), ev(`$a-${u}`)], 1),
        other.inbox.acceptTransaction(`tb-${u}`, [ev(`$shared-${u}`), ev(`$b-${u}`)], 1),
      ]);
      assert.deepEqual(results, [true, true]);
      const ids = (await ctx.store().inbox.pendingEvents(10)).map((p) => p.event.event_id as string);
      assert.deepEqual([...ids].sort(), [`$a-${u}`, `$b-${u}`, `$shared-${u}`].sort());
    } finally {
      await other.close();
    }
  });
}
