// The network interface's contract for the realtime stream (./network-contract.ts runs these with its own): room
// events as they happen, each message once; an edit's revision; and after a cut, a stream that delivers what was
// missed or says what may be lost, so that catching up from the core's cursor fills the gap once and in order; the
// same for what was posted after a room's cursor before the stream started, or before the room was watched.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { it } from "node:test";
import type { NetworkClient } from "../../src/network/connector";
import { isNetworkError } from "../../src/network/errors";
import type { RealtimeStream } from "../../src/network/realtime";
import type { NetworkMessage, NetworkRoom } from "../../src/network/types";
import { listen, waitFor, walk, type ContractHarness, type Watched } from "./network-contract";

const T = { timeout: 30_000 };
const unique = (label: string) => `${label} ${randomUUID().slice(0, 8)}`;

/**
 * Adds the cases to the running contract suite; `get` gives its connected client and the shared room, `keep` is
 * told of every stream started, for the suite to stop them all at its end.
 */
export function streamContractCases(get: () => { client: NetworkClient; shared: NetworkRoom }, h: ContractHarness, keep: (s: RealtimeStream) => void): void {
  const track = (w: Watched): Watched => {
    keep(w.stream);
    return w;
  };

  it("reports edits, deletions and reactions on the realtime stream", T, async () => {
    const { client, shared } = get();
    const w = track(listen(client));
    w.stream.watch(shared.id, await client.startCursor(shared.id));
    await waitFor("connected", () => w.stream.state === "connected");
    const text = unique("live");
    const id = await h.bob.post(shared.id, text);
    await waitFor("the message", () => w.events.some((e) => e.type === "message" && e.message.id === id));
    assert.equal(w.stream.roomsCatchingUp, 0, "a room delivering live is not counted as catching up");
    await h.bob.edit(id, `${text} (edited)`);
    await waitFor("the edit", () => w.events.some((e) => e.type === "edit" && e.message.id === id && e.message.text === `${text} (edited)`));
    if (h.connector().capabilities.reactions) {
      await h.bob.react(id, h.reaction);
      await waitFor("the reaction", () => w.events.some((e) => e.type === "reaction" && e.messageId === id && e.added && e.reaction === h.reaction));
    } else {
      await assert.rejects(client.react(shared.id, id, h.reaction), (e: unknown) => isNetworkError(e, "unsupported"));
    }
    await h.bob.delete(id);
    await waitFor("the deletion", () => w.events.some((e) => e.type === "delete" && e.messageId === id));
    const messages = w.events.filter((e) => e.type === "message" && e.message.id === id);
    assert.equal(messages.length, 1, "each message once");
    w.stream.stop();
  });

  it("names its reactions for Matrix and back, and none on a network without reactions", T, async () => {
    const { client, shared } = get();
    if (!h.connector().capabilities.reactions) {
      assert.equal(client.reactionFromMatrix("\u{1F44D}"), null);
      return;
    }
    const key = client.reactionToMatrix(h.reaction);
    const back = client.reactionFromMatrix(key);
    assert.ok(back !== null, `${key} names a reaction`);
    assert.equal(client.reactionToMatrix(back), key, "the same emoji both ways");
    assert.equal(client.reactionFromMatrix("not an emoji"), null);
    const id = await h.bob.post(shared.id, unique("to react to"));
    await client.react(shared.id, id, back);
    await client.react(shared.id, id, back);
    await client.unreact(shared.id, id, back);
  });

  it("an edit carries a revision: the same wherever that version is reported, another after the next edit", T, async () => {
    const { client, shared } = get();
    const w = track(listen(client));
    const start = await client.startCursor(shared.id);
    w.stream.watch(shared.id, start);
    await waitFor("connected", () => w.stream.state === "connected");
    const text = unique("revised");
    const id = await h.bob.post(shared.id, text);
    const listed = async () => (await walk(client, shared.id, start, 100)).find((m) => m.id === id);
    const original = await listed();
    const edits = () => w.events.flatMap((e) => (e.type === "edit" && e.message.id === id ? [e.message] : []));
    await h.bob.edit(id, `${text} (1)`);
    await waitFor("the first edit", () => edits().length === 1);
    const first = edits()[0].revision;
    assert.ok(first, "an edit has a revision");
    assert.notEqual(first, original?.revision, "the edit's revision is not the original's");
    assert.equal((await listed())?.revision, first, "history reports the edited message with the edit's revision");
    // Mattermost's revision is the edit's time: let the clock move on.
    await new Promise((r) => setTimeout(r, 5));
    await h.bob.edit(id, `${text} (2)`);
    await waitFor("the second edit", () => edits().length === 2);
    assert.notEqual(edits()[1].revision, first, "each edit has its own revision");
    w.stream.stop();
  });

  /**
   * A stream started on `room`, delivering as the core does: a Loss without its messages is caught up from the
   * cursor of the newest message delivered, and a message not newer than that cursor is dropped.
   */
  function follow(client: NetworkClient, roomId: string, from: string, watchFirst = true): { w: Watched; delivered: NetworkMessage[]; settled: () => Promise<void> } {
    const delivered: NetworkMessage[] = [];
    let cursor = from;
    const w: Watched = { stream: client.realtime(), events: [], states: [], losses: [] };
    keep(w.stream);
    const deliver = (m: NetworkMessage) => {
      if (m.cursor <= cursor) return; // already delivered: the core's cursor check
      delivered.push(m);
      cursor = m.cursor;
    };
    let catchingUp: Promise<void> = Promise.resolve();
    if (watchFirst) w.stream.watch(roomId, from);
    w.stream.start({
      event: (e) => e.type === "message" && e.message.roomId === roomId && void catchingUp.then(() => deliver(e.message)),
      state: (s) => w.states.push(s),
      mayHaveLost: (loss) => {
        w.losses.push(loss);
        if (loss.messagesCaughtUp || !loss.rooms.includes(roomId)) return;
        catchingUp = catchingUp.then(async () => (await walk(client, roomId, cursor, 2)).forEach(deliver));
      },
    });
    return { w, delivered, settled: () => catchingUp };
  }

  // A client of its own: its stream's first connection is the first, as in a bridge process just started.
  it("delivers what was posted after the cursor before the stream started, once, in order", T, async () => {
    const { shared } = get();
    const client = await h.connector().connect(h.aliceToken);
    const cursor = await client.startCursor(shared.id);
    const ids = [await h.bob.post(shared.id, unique("while no stream ran 1")), await h.bob.post(shared.id, unique("while no stream ran 2"))];
    const { w, delivered, settled } = follow(client, shared.id, cursor);
    await waitFor("connected", () => w.stream.state === "connected");
    ids.push(await h.bob.post(shared.id, unique("live")));
    await waitFor("every message", () => delivered.length >= ids.length, 15_000);
    await settled();
    assert.deepEqual(delivered.map((m) => m.id), ids, "each once, in order");
    w.stream.stop();
  });

  it("delivers what was posted after the cursor of a room watched once connected, once, in order", T, async () => {
    const { shared } = get();
    const client = await h.connector().connect(h.aliceToken);
    const cursor = await client.startCursor(shared.id);
    const { w, delivered, settled } = follow(client, shared.id, cursor, false);
    await waitFor("connected", () => w.stream.state === "connected");
    const ids = [await h.bob.post(shared.id, unique("before the watch"))];
    w.stream.watch(shared.id, cursor);
    ids.push(await h.bob.post(shared.id, unique("live")));
    await waitFor("every message", () => delivered.length >= ids.length, 15_000);
    await settled();
    assert.deepEqual(delivered.map((m) => m.id), ids, "each once, in order");
    w.stream.stop();
  });

  it("after a cut, the stream delivers or says what may be lost, and catch-up fills the gap once, in order", T, async () => {
    const { client, shared } = get();
    const { w, delivered, settled } = follow(client, shared.id, await client.startCursor(shared.id));
    await waitFor("connected", () => w.stream.state === "connected");
    const ids = [await h.bob.post(shared.id, unique("before the cut"))];
    await waitFor("the first message", () => delivered.length === 1);
    await h.cutRealtime();
    // More than a resume snapshot holds (Gitter sends the newest 5 with a subscription), so REST must fill the rest.
    for (let i = 1; i <= 8; i++) ids.push(await h.bob.post(shared.id, unique(`during the cut ${i}`)));
    await waitFor("a loss report or every message", () => w.losses.length > 0 || delivered.length === ids.length, 15_000);
    await waitFor("reconnected", () => w.stream.state === "connected", 15_000);
    ids.push(await h.bob.post(shared.id, unique("after the cut")));
    await waitFor("every message", () => delivered.length >= ids.length, 15_000);
    await settled();
    assert.deepEqual(delivered.map((m) => m.id), ids, "each once, in order");
    assert.ok(w.states.includes("reconnecting"), "the cut was reported");
    w.stream.stop();
  });
}
