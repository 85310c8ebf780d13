// The network interface's contract (src/network), one suite for every network: each network's test file starts its
// emulator and hands over a harness that acts as the other people in the room and breaks things on cue.
// Catch-up below is done the way the core does it (docs/network-interface.md): deliver from the stream, and on a
// Loss without messagesCaughtUp walk historyAfter from the last delivered cursor, dropping what is not newer.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { NetworkClient, NetworkConnector } from "../../src/network/connector";
import { isNetworkError, NetworkError } from "../../src/network/errors";
import type { ConnectionState, Loss, NetworkEvent, RealtimeStream } from "../../src/network/realtime";
import type { Cursor, NetworkMessage, NetworkRoom, OutgoingMessage, RoomKind } from "../../src/network/types";
import { convertContractCases } from "./network-contract-convert";
import { roomContractCases } from "./network-contract-rooms";
import { roomListContractCases } from "./network-contract-roomlist";
import { streamContractCases } from "./network-contract-stream";

export interface ContractHarness {
  start(): Promise<void>;
  stop(): Promise<void>;
  connector(): NetworkConnector;
  /** Alice's token; the suite acts as alice. */
  aliceToken: string;
  /** A new token of alice's that a case may revoke. */
  issueToken(): Promise<string>;
  revokeToken(token: string): Promise<void>;
  /** Rooms alice must see, as listRooms reports them (only the fields given are compared). */
  expectedRooms: Array<Partial<NetworkRoom> & { kind: RoomKind; name: string }>;
  /** Every room kind alice's rooms have on this network. */
  expectedKinds: RoomKind[];
  /** A group room of alice and bob, with history. */
  sharedRoom: string;
  /** A public group room alice is not in. */
  otherRoom: string;
  /** A word of otherRoom's name that a search finds it by. */
  searchTerm: string;
  /** A room id of the network's shape that names no room. */
  unknownRoomId: string;
  /** As bob, over the emulator's control API. */
  bob: {
    post(roomId: string, text: string): Promise<string>;
    edit(messageId: string, text: string): Promise<void>;
    delete(messageId: string): Promise<void>;
    react(messageId: string, reaction: string): Promise<void>;
  };
  /** A reaction name the network knows. */
  reaction: string;
  /** The next message post is carried out but its answer is lost. */
  loseNextSendAnswer(): Promise<void>;
  /** Cuts alice's realtime connection; the server forgets what it had queued for it where it can. */
  cutRealtime(): Promise<void>;
}

const T = { timeout: 30_000 };

/** Resolves once `test` holds, polling; rejects after `ms` saying what was awaited. */
export async function waitFor(what: string, test: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** All of a room's history after `cursor`, walking pages of `limit`. */
export async function walk(client: NetworkClient, roomId: string, cursor: Cursor, limit: number): Promise<NetworkMessage[]> {
  const out: NetworkMessage[] = [];
  for (let n = 0; n < 100; n++) {
    const page = await client.historyAfter(roomId, cursor, limit);
    out.push(...page.messages);
    if (!page.more || page.messages.length === 0) return out;
    cursor = page.messages[page.messages.length - 1].cursor;
  }
  throw new Error("history did not end");
}

/** Sends as the core does: once, and after an unknown outcome, looks before sending again with the same key. */
export async function sendOnce(client: NetworkClient, roomId: string, message: OutgoingMessage, key: string, since: number) {
  let unknown = 0;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return { message: await client.send(roomId, message, key), unknown };
    } catch (err) {
      if (!isNetworkError(err, "maybe-delivered")) throw err;
      unknown++;
      const found = await client.findOwnMessage(roomId, { key, text: message.text, threadId: message.threadId, since });
      if (found) return { message: found, unknown };
    }
  }
  throw new Error("send never resolved");
}

/** A started stream and what it reported. */
export interface Watched {
  stream: RealtimeStream;
  events: NetworkEvent[];
  states: ConnectionState[];
  losses: Loss[];
}

export function listen(client: NetworkClient): Watched {
  const w: Watched = { stream: client.realtime(), events: [], states: [], losses: [] };
  w.stream.start({
    event: (e) => w.events.push(e),
    state: (s) => w.states.push(s),
    mayHaveLost: (l) => w.losses.push(l),
  });
  return w;
}

const unique = (label: string) => `${label} ${randomUUID().slice(0, 8)}`;

export function runNetworkContract(name: string, h: ContractHarness): void {
  let client: NetworkClient;
  let shared: NetworkRoom;
  const streams: RealtimeStream[] = [];
  const stream = (c: NetworkClient) => {
    const w = listen(c);
    streams.push(w.stream);
    return w;
  };

  describe(`network contract: ${name}`, () => {
    before(async () => {
      await h.start();
      client = await h.connector().connect(h.aliceToken);
      shared = await client.resolveRoom(h.sharedRoom);
    });
    after(async () => {
      for (const s of streams) s.stop();
      await h.stop();
    });

    it("connects as the token's owner", async () => {
      assert.equal(client.self.username, "alice");
      assert.equal((await client.whoAmI()).id, client.self.id);
      assert.ok(h.connector().ids.isUserId(client.self.id));
      assert.ok(h.connector().ids.isRoomId(shared.id));
    });

    it("resumes a stored login as its owner, and the client works", async () => {
      const resumed = h.connector().resume(h.aliceToken, client.self);
      assert.deepEqual(resumed.self, client.self);
      assert.ok((await resumed.listRooms()).some((r) => r.id === shared.id));
    });

    it("lists the user's rooms with their kinds", async () => {
      const rooms = await client.listRooms();
      assert.deepEqual([...new Set(rooms.map((r) => r.kind))].sort(), [...h.expectedKinds].sort());
      for (const want of h.expectedRooms) {
        const got = rooms.find((r) => r.kind === want.kind && r.name === want.name && (want.link === undefined || r.link === want.link));
        assert.ok(got, `room ${want.name} (${want.kind}) among ${JSON.stringify(rooms.map((r) => [r.name, r.kind]))}`);
        for (const [k, v] of Object.entries(want)) assert.deepEqual(got[k as keyof NetworkRoom], v, `${want.name}.${k}`);
      }
      for (const r of rooms.filter((x) => x.kind !== "group")) assert.ok(r.otherUserIds?.length, `${r.name} names the others`);
      for (const r of rooms.filter((x) => x.others)) assert.deepEqual(r.others!.map((u) => u.id), r.otherUserIds, `${r.name}'s others`);
      assert.ok(!rooms.some((r) => r.link === h.otherRoom), "a room the user is not in is not listed");
    });

    roomContractCases(() => ({ client, shared }), h);
    roomListContractCases(() => ({ client, shared }), h);
    convertContractCases(() => ({ client, shared }), h);

    it("pages history after a cursor, in order, with nothing at or before it", T, async () => {
      const start = await client.startCursor(shared.id);
      const sent = [];
      for (let i = 1; i <= 5; i++) sent.push(await h.bob.post(shared.id, unique(`page ${i}`)));
      const all = await walk(client, shared.id, start, 2);
      assert.deepEqual(all.map((m) => m.id), sent, "every message after the cursor, once, oldest first");
      const cursors = all.map((m) => m.cursor);
      assert.deepEqual([...cursors].sort(), cursors, "cursors sort as strings in history order");
      assert.ok(all.every((m) => m.roomId === shared.id && m.senderId !== client.self.id));
      const rest = await walk(client, shared.id, all[1].cursor, 2);
      assert.deepEqual(rest.map((m) => m.id), sent.slice(2), "from a message's cursor: only what came after it");
      assert.deepEqual((await client.historyAfter(shared.id, all[4].cursor, 10)).messages, [], "nothing after the newest");
      assert.equal(await client.startCursor(shared.id), all[4].cursor, "a room opened now starts at its newest message");
    });

    it("sends, and the message is in history exactly once", T, async () => {
      const start = await client.startCursor(shared.id);
      const text = unique("sent");
      const sent = await client.send(shared.id, { text }, randomUUID().replace(/-/g, ""));
      assert.equal(sent.text, text);
      assert.equal(sent.senderId, client.self.id);
      const seen = (await walk(client, shared.id, start, 50)).filter((m) => m.text === text);
      assert.deepEqual(seen.map((m) => m.id), [sent.id]);
    });

    it("a send whose answer was lost is resolved without posting twice", T, async () => {
      const start = await client.startCursor(shared.id);
      const text = unique("lost answer");
      const key = randomUUID().replace(/-/g, "");
      const since = Date.now();
      await h.loseNextSendAnswer();
      const { message, unknown } = await sendOnce(client, shared.id, { text }, key, since);
      const window = h.connector().capabilities.keyedSendWindowMs;
      if (window === 0) assert.equal(unknown, 1, "without keyed sends the lost answer is reported as maybe-delivered");
      else assert.deepEqual((await client.send(shared.id, { text }, key)).id, message.id, "a repeat with the key returns the first");
      const seen = (await walk(client, shared.id, start, 50)).filter((m) => m.text === text);
      assert.deepEqual(seen.map((m) => m.id), [message.id], "posted once");
      const found = await client.findOwnMessage(shared.id, { key, text, since });
      assert.equal(found?.id, message.id, "the user's own message is found for its send");
      const taken = await client.findOwnMessage(shared.id, { key, text, since, isTaken: (id) => id === message.id });
      assert.equal(taken, null, "a message already linked to another send is not taken again");
    });

    it("findOwnMessage takes the oldest of identical messages not taken, and none older than since less a minute", T, async () => {
      const text = unique("same words");
      const since = Date.now();
      const first = await client.send(shared.id, { text }, randomUUID().replace(/-/g, ""));
      const second = await client.send(shared.id, { text }, randomUUID().replace(/-/g, ""));
      // A key the network never saw: the message is found by its text and thread.
      const probe = { key: randomUUID().replace(/-/g, ""), text: `${text}\n`, since };
      assert.equal((await client.findOwnMessage(shared.id, probe))?.id, first.id, "the oldest");
      assert.equal((await client.findOwnMessage(shared.id, { ...probe, isTaken: (id) => id === first.id }))?.id, second.id, "two stay two");
      assert.equal(await client.findOwnMessage(shared.id, { ...probe, threadId: first.id }), null, "not in that thread");
      // Two minutes and more later, both messages are too old to be the result of that send.
      assert.equal(await client.findOwnMessage(shared.id, { ...probe, since: since + 122_000 }), null, "too old");
    });

    it("edits and deletes the user's own message; a deletion repeated is done", T, async () => {
      const start = await client.startCursor(shared.id);
      const text = unique("to change");
      const sent = await client.send(shared.id, { text }, randomUUID().replace(/-/g, ""));
      await client.edit(shared.id, sent.id, `${text} (changed)`);
      assert.equal((await walk(client, shared.id, start, 50)).find((m) => m.id === sent.id)?.text, `${text} (changed)`);
      await client.delete(shared.id, sent.id);
      await client.delete(shared.id, sent.id);
      assert.ok((await walk(client, shared.id, start, 50)).every((m) => m.id !== sent.id), "gone from history");
    });

    it("marks a room read up to a message, again, and for a message read in its thread", T, async () => {
      const id = await h.bob.post(shared.id, unique("to read"));
      await client.markRead(shared.id, id);
      await client.markRead(shared.id, id);
      await client.markRead(shared.id, id, { inThread: true });
    });

    streamContractCases(() => ({ client, shared }), h, (s) => streams.push(s));

    it("joins and leaves a room, and the stream reports the room list's changes", T, async () => {
      const w = stream(await h.connector().connect(h.aliceToken));
      await waitFor("connected", () => w.stream.state === "connected");
      const listed = (change: string, id: string) => w.events.some((e) => e.type === "rooms" && e.change === change && e.roomId === id);
      const other = await client.resolveRoom(h.otherRoom);
      assert.equal(other.kind, "group");
      const joined = await client.join(other.id);
      assert.equal(joined.id, other.id);
      assert.ok((await client.listRooms()).some((r) => r.id === other.id), "listed once joined");
      assert.ok((await client.members(other.id)).some((u) => u.id === client.self.id), "a member once joined");
      await waitFor("the room added", () => listed("added", other.id));
      await client.leave(other.id);
      assert.ok(!(await client.listRooms()).some((r) => r.id === other.id), "gone once left");
      await waitFor("the room removed", () => listed("removed", other.id));
      w.stream.stop();
      await client.leave(other.id);
      await assert.rejects(client.resolveRoom(`${h.otherRoom}-nope`), (e: unknown) => isNetworkError(e, "not-found"));
    });

    it("finds a room the user is not in by searching, with its link", T, async () => {
      const found = await client.searchRooms(h.searchTerm, 10);
      assert.ok(found.length <= 10);
      assert.ok(found.some((r) => r.kind === "group" && r.link === h.otherRoom), JSON.stringify(found.map((r) => r.link)));
    });

    it("joining a room that does not exist is not-found, not an outage", T, async () => {
      assert.ok(h.connector().ids.isRoomId(h.unknownRoomId));
      await assert.rejects(client.join(h.unknownRoomId), (e: unknown) => isNetworkError(e, "not-found"));
    });

    it("a revoked token is token-invalid, on REST and on the stream", T, async () => {
      const token = await h.issueToken();
      const mine = await h.connector().connect(token);
      const w = stream(mine);
      await waitFor("connected", () => w.stream.state === "connected");
      await h.revokeToken(token);
      const failed = await mine.listRooms().then(() => undefined, (e: unknown) => e);
      assert.ok(failed instanceof NetworkError, `a NetworkError, got ${String(failed)}`);
      assert.equal(failed.kind, "token-invalid");
      assert.equal(failed.transient, false);
      assert.equal(failed.side, "remote");
      await waitFor("token-invalid on the stream", () => w.stream.state === "token-invalid", 15_000);
      await assert.rejects(h.connector().connect(token), (e: unknown) => isNetworkError(e, "token-invalid"));
    });
  });
}
