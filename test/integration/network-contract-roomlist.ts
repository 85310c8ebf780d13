// The network interface's contract for the user's room list (./network-contract.ts runs these with its own): each
// listed room says whether the user closed it, the stream reports a room's unread messages rising whether it is
// watched or not, and the cursor before the first unread message starts a walk at that message.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { it } from "node:test";
import type { NetworkClient } from "../../src/network/connector";
import type { NetworkRoom } from "../../src/network/types";
import { listen, waitFor, walk, type ContractHarness } from "./network-contract";

const T = { timeout: 30_000 };

export function roomListContractCases(get: () => { client: NetworkClient; shared: NetworkRoom }, h: ContractHarness): void {
  it("lists each room saying whether it is hidden, and whether it is unread where the network says", T, async () => {
    const { client } = get();
    const rooms = await client.listRooms();
    for (const r of rooms) {
      assert.ok(r.hidden === undefined || typeof r.hidden === "boolean", `${r.name}.hidden`);
      assert.ok(r.unread === undefined || typeof r.unread === "boolean", `${r.name}.unread`);
    }
    assert.ok(rooms.some((r) => r.hidden !== true), "the user's open rooms are not hidden");
  });

  it("reports unread messages in a room not watched, and starts a walk at the first unread one", T, async () => {
    const { client, shared } = get();
    await client.markRead(shared.id, await h.bob.post(shared.id, `read ${randomUUID().slice(0, 8)}`));
    // Mattermost reads by time: the next posts come at least a millisecond later.
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(await client.cursorBeforeUnread(shared.id), null, "nothing unread once read");
    assert.notEqual((await client.listRooms()).find((r) => r.id === shared.id)?.unread, true, "not listed as unread");
    const w = listen(client);
    try {
      await waitFor("connected", () => w.stream.state === "connected");
      const ids = [await h.bob.post(shared.id, `unread 1 ${randomUUID().slice(0, 8)}`), await h.bob.post(shared.id, `unread 2 ${randomUUID().slice(0, 8)}`)];
      await waitFor("the unread report", () => w.events.some((e) => e.type === "rooms" && e.change === "unread" && e.roomId === shared.id));
      assert.ok(!w.events.some((e) => e.type === "message"), "no message of a room not watched");
      const cursor = await client.cursorBeforeUnread(shared.id);
      assert.ok(cursor, "a cursor before the unread messages");
      assert.deepEqual((await walk(client, shared.id, cursor, 10)).map((m) => m.id), ids, "from the first unread message on");
      assert.notEqual((await client.listRooms()).find((r) => r.id === shared.id)?.unread, false, "listed as unread where the network says");
    } finally {
      w.stream.stop();
    }
  });
}
