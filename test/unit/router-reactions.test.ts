// The router hands the owner's reactions in a portal to their session, like their messages and redactions; with no
// session a reaction is left alone (no notice: reactions were never bridged, and one notice each would be noise).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MatrixIds } from "../../src/matrix/ids";
import type { ControlRooms } from "../../src/puppet/control";
import type { SessionManager } from "../../src/puppet/manager";
import type { MatrixRoomEvent } from "../../src/puppet/portal";
import { createRouter } from "../../src/puppet/router";
import type { Store } from "../../src/store/store";

const OWNER = "@alice:example.org";
const ROOM = "!portal:example.org";

function router(withSession: boolean) {
  const toSession: MatrixRoomEvent[] = [];
  const said: string[] = [];
  const portal = { mxid: OWNER, gitterRoomId: "room", matrixRoomId: ROOM, oneToOne: false, lastGitterMessageId: null };
  // Only the portal lookup the router makes.
  const store = { portals: { getPortalByMatrixRoom: async (id: string) => (id === ROOM ? portal : null) }, media: { unshareEvent: async () => undefined } } as unknown as Store;
  const control = { onMessage: async () => false, say: async (_room: string, _about: unknown, text: string) => void said.push(text) } as unknown as ControlRooms;
  const session = { fromMatrix: async (e: MatrixRoomEvent) => void toSession.push(e) };
  const sessions = { sessionFor: async () => (withSession ? session : undefined) } as unknown as SessionManager;
  const ids = new MatrixIds({ domain: "example.org", botLocalpart: "bot", ghostPrefix: "mattermost_" });
  return { route: createRouter({ ids, store, control, sessions }), toSession, said };
}

const reaction = { event_id: "$r", room_id: ROOM, sender: OWNER, type: "m.reaction", content: { "m.relates_to": { rel_type: "m.annotation", event_id: "$m", key: "\u{1F44D}" } } };

describe("router: reactions", () => {
  it("hands the owner's reaction in a portal to their session", async () => {
    const r = router(true);
    await r.route(reaction);
    assert.deepEqual(r.toSession.map((e) => e.event_id), ["$r"]);
  });

  it("leaves a reaction alone, unsaid, when the owner has no session", async () => {
    const r = router(false);
    await r.route(reaction);
    assert.deepEqual([r.toSession.length, r.said], [0, []]);
  });

  it("ignores a ghost's reaction (our own echo)", async () => {
    const r = router(true);
    await r.route({ ...reaction, sender: "@mattermost_bob:example.org" });
    assert.equal(r.toSession.length, 0);
  });
});
