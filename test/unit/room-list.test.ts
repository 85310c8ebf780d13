// The user's room list: what Gitter's list and pushes mean in the network interface's words (src/gitter/
// network-rooms.ts), and what the core's follower does with them (src/puppet/room-list.ts). The real path, Gitter's
// pushes through a session into Synapse, is test/e2e/fidelity-rooms.test.ts.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toListedRoom, toRoomsEvent } from "../../src/gitter/network-rooms";
import type { GitterRoom } from "../../src/gitter/types";
import type { RoomsEvent } from "../../src/network/realtime";
import type { NetworkRoom } from "../../src/network/types";
import { isShown, RoomListFollower, startOfUnread } from "../../src/puppet/room-list";

const carol = { id: "c".repeat(24), username: "carol", displayName: "Carol", url: "/carol", avatarUrl: "" };

function gitterRoom(over: Partial<GitterRoom> = {}): GitterRoom {
  return {
    id: "a".repeat(24), name: "test/general", topic: "", uri: "test/general", oneToOne: false, userCount: 2, unreadItems: 0,
    mentions: 0, lastAccessTime: "2026-01-01T00:00:00.000Z", lurk: false, url: "/test/general", githubType: "ORG", roomMember: true,
    ...over,
  } as GitterRoom;
}

const direct = (id: string, over: Partial<NetworkRoom> = {}): NetworkRoom => ({ id, kind: "direct", name: "Carol", others: [{ id: carol.id, username: "carol", displayName: "Carol" }], ...over });
const group = (id: string, over: Partial<NetworkRoom> = {}): NetworkRoom => ({ id, kind: "group", name: id, ...over });
const tick = () => new Promise((r) => setImmediate(r));

describe("Gitter's room list in the network's words", () => {
  it("a listed room is hidden without a last access time, and unread with unread items or mentions", () => {
    assert.deepEqual([toListedRoom(gitterRoom()).hidden, toListedRoom(gitterRoom()).unread], [false, false]);
    assert.equal(toListedRoom(gitterRoom({ lastAccessTime: null })).hidden, true);
    assert.equal(toListedRoom(gitterRoom({ lastAccessTime: undefined })).hidden, true);
    assert.equal(toListedRoom(gitterRoom({ unreadItems: 2 })).unread, true);
    assert.equal(toListedRoom(gitterRoom({ mentions: 1 })).unread, true);
  });

  it("a push means added, removed, hidden, unread or changed", () => {
    const id = "b".repeat(24);
    const added = toRoomsEvent("create", gitterRoom({ id }));
    assert.deepEqual([added?.change, added?.room?.id], ["added", id]);
    assert.equal(toRoomsEvent("create", gitterRoom({ id, roomMember: false })), undefined, "only mentioned: not the user's");
    assert.equal(toRoomsEvent("create", { id }), undefined, "no room model");
    assert.deepEqual(toRoomsEvent("remove", { id }), { type: "rooms", change: "removed", roomId: id });
    assert.equal(toRoomsEvent("patch", { id, lastAccessTime: null })?.change, "hidden");
    assert.equal(toRoomsEvent("patch", { id, lastAccessTime: null, unreadItems: 1 })?.change, "hidden");
    assert.equal(toRoomsEvent("patch", { id, unreadItems: 1 })?.change, "unread");
    assert.equal(toRoomsEvent("patch", { id, mentions: 1, unreadItems: 0 })?.change, "unread");
    assert.equal(toRoomsEvent("patch", { id, unreadItems: 0, mentions: 0 }), undefined, "read: nothing the bridge follows");
    assert.equal(toRoomsEvent("patch", { id, lastAccessTime: "2026-01-02T00:00:00.000Z" }), undefined, "visited");
    assert.equal(toRoomsEvent("patch", { id, topic: "new" })?.change, "changed");
  });
});

/** A follower over a recording host; `portals` are the rooms with a portal. */
function follower(portals: string[] = [], cursors: Record<string, string | null> = {}) {
  const log: string[] = [];
  const host = {
    network: {
      getRoom: async (id: string) => (id.startsWith("g") ? group(id) : direct(id)),
      cursorBeforeUnread: async (id: string) => cursors[id] ?? null,
    },
    hasPortal: (id: string) => portals.includes(id),
    adopting: (room: NetworkRoom) => room.others?.[0]?.username === "adopted",
    open: async (room: NetworkRoom, startAfter?: string) => void log.push(`open ${room.id} ${startAfter ?? "now"}`),
    close: async (id: string) => void log.push(`close ${id}`),
  };
  return { list: new RoomListFollower(host), log };
}

const ev = (change: RoomsEvent["change"], roomId: string, room?: NetworkRoom): RoomsEvent => ({ type: "rooms", change, roomId, ...(room ? { room } : {}) });

describe("following the user's room list", () => {
  it("bridges the listed rooms that are not hidden or have unread messages", () => {
    const { list } = follower();
    const rooms = [group("g1"), group("g2", { hidden: true }), direct("d1", { hidden: true, unread: true }), direct("d2", { hidden: true, unread: false }), direct("d3")];
    assert.deepEqual(list.listed(rooms).map((r) => r.id), ["g1", "d1", "d3"]);
    assert.equal(isShown({}), true, "a network that does not say: shown");
  });

  it("closes a portal hidden or left, and only a hidden one that has a portal", async () => {
    const { list, log } = follower(["g1", "d1"]);
    list.onEvent(ev("hidden", "d1"));
    list.onEvent(ev("hidden", "d9"));
    list.onEvent(ev("removed", "g1"));
    await tick();
    assert.deepEqual(log, ["close d1", "close g1"]);
  });

  it("opens a hidden direct room again on its unread messages, from the first of them; not a group room, nor one with a portal", async () => {
    const { list, log } = follower(["d3"], { d1: "cursor-d1" });
    list.listed([direct("d1", { hidden: true }), direct("d2", { hidden: true }), group("g1", { hidden: true })]);
    list.onEvent(ev("unread", "d1"));
    list.onEvent(ev("unread", "g1"));
    list.onEvent(ev("unread", "d3"));
    list.onEvent(ev("unread", "d4"));
    await tick();
    assert.deepEqual(log, ["open d1 cursor-d1"]);
    list.closed("d3", true);
    list.onEvent(ev("unread", "d2"));
    await tick();
    assert.deepEqual(log, ["open d1 cursor-d1", "open d2 now"], "nothing unread any more: from now");
  });

  it("opens a room added, unless it is the direct room being made from Matrix; asks for a room the event does not carry", async () => {
    const { list, log } = follower();
    list.onEvent(ev("added", "g1", group("g1")));
    list.onEvent(ev("added", "d5", direct("d5", { others: [{ id: "x", username: "adopted", displayName: "A" }] })));
    list.onEvent(ev("added", "g2"));
    list.onEvent(ev("changed", "g3"));
    await tick();
    assert.deepEqual(log, ["open g1 now", "open g2 now"]);
  });

  it("starts a listed direct room with unread messages before the first of them, anything else now", async () => {
    const network = { cursorBeforeUnread: async (id: string) => `before-${id}` };
    assert.equal(await startOfUnread(network, direct("d1", { unread: true })), "before-d1");
    assert.equal(await startOfUnread(network, direct("d1", { unread: false })), undefined);
    assert.equal(await startOfUnread(network, group("g1", { unread: true })), undefined);
  });
});
