// What the bridge says about encryption it cannot read: once when a room turns encrypted, and about encrypted
// messages at most once per room in NOTICE_EVERY_MS, however many arrive; rooms it does not serve are left alone.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { EncryptedKind } from "../../src/metrics";
import { EncryptedRooms, NOTICE_EVERY_MS } from "../../src/puppet/encryption";
import type { Store } from "../../src/store/store";

const PORTAL = "!portal:localhost";
const CONTROL = "!control:localhost";
const ALICE = "@alice:localhost";

function setup() {
  const said: Array<[string, string]> = [];
  const told: Array<[string, string]> = [];
  const counted: EncryptedKind[] = [];
  let now = 1_000_000;
  // Only the two lookups EncryptedRooms makes; the rest of the Store is not reached.
  const store = {
    portals: { getPortalByMatrixRoom: async (room: string) => (room === PORTAL ? { mxid: ALICE, matrixRoomId: PORTAL } : null) },
    users: { getUserByControlRoom: async (room: string) => (room === CONTROL ? { mxid: ALICE, controlRoomId: CONTROL } : null) },
  } as unknown as Store;
  const rooms = new EncryptedRooms({
    store,
    say: async (room, _about, text) => void said.push([room, text]),
    tell: async (mxid, _about, text) => void told.push([mxid, text]),
    metrics: { encrypted: (kind) => void counted.push(kind) },
    now: () => now,
  });
  return { rooms, said, told, counted, advance: (ms: number) => (now += ms) };
}

const event = (room: string, type: string, sender = ALICE) => ({ event_id: `$${Math.random()}`, room_id: room, sender, type, content: {} });

describe("encryption notices", () => {
  it("says at once when a portal turns encrypted, there and in the control room", async () => {
    const { rooms, said, told, counted } = setup();
    await rooms.onEncryptionState({ ...event(PORTAL, "m.room.encryption"), state_key: "" });
    assert.equal(said.length, 1);
    assert.equal(said[0]![0], PORTAL);
    assert.match(said[0]![1], /no longer reaches Gitter/);
    assert.deepEqual(told.map(([m, t]) => [m, t.includes(PORTAL)]), [[ALICE, true]]);
    assert.deepEqual(counted, ["room_encrypted"]);
  });

  it("tells the control room about itself only, and ignores rooms the bridge does not serve", async () => {
    const { rooms, said, told, counted } = setup();
    await rooms.onEncryptionState({ ...event(CONTROL, "m.room.encryption"), state_key: "" });
    await rooms.onEncryptionState({ ...event("!elsewhere:localhost", "m.room.encryption"), state_key: "" });
    await rooms.onEncryptionState({ ...event(PORTAL, "m.room.encryption"), state_key: "not-state" });
    assert.deepEqual(said.map(([r]) => r), [CONTROL]);
    assert.match(said[0]![1], /will not see your commands/);
    assert.deepEqual(told, []);
    assert.deepEqual(counted, ["room_encrypted"]);
  });

  it("counts every encrypted message but says so once per room per window", async () => {
    const { rooms, said, counted, advance } = setup();
    for (let i = 0; i < 5; i++) await rooms.onEncryptedEvent(event(PORTAL, "m.room.encrypted"));
    await rooms.onEncryptedEvent(event(CONTROL, "m.room.encrypted"));
    assert.deepEqual(said.map(([r]) => r), [PORTAL, CONTROL]);
    advance(NOTICE_EVERY_MS - 1);
    await rooms.onEncryptedEvent(event(PORTAL, "m.room.encrypted"));
    assert.equal(said.length, 2);
    advance(1);
    await rooms.onEncryptedEvent(event(PORTAL, "m.room.encrypted"));
    assert.equal(said.length, 3);
    assert.equal(counted.filter((k) => k === "message").length, 8);
  });

  it("leaves encrypted messages from anyone but the owner alone", async () => {
    const { rooms, said, counted } = setup();
    await rooms.onEncryptedEvent(event(PORTAL, "m.room.encrypted", "@bob:localhost"));
    await rooms.onEncryptedEvent(event(CONTROL, "m.room.encrypted", "@bob:localhost"));
    await rooms.onEncryptedEvent(event("!elsewhere:localhost", "m.room.encrypted"));
    assert.deepEqual(said, []);
    assert.deepEqual(counted, []);
  });
});
