// The people a new portal brings in (populateMembers in src/puppet/portal-setup.ts), over the Gitter network client
// and the emulator: the latest speakers first, newest first (Gitter's main timeline: thread replies do not count),
// then the room's members as Gitter lists them, up to the cap, the user left out; and the member list is read no
// further than the cap needs, as a room of thousands would otherwise spend the token's rate limit on every page.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { GitterConnector } from "../../src/gitter/network";
import type { NetworkClient } from "../../src/network/connector";
import type { NetworkUser } from "../../src/network/types";
import type { PortalRoom } from "../../src/puppet/portal";
import { populateMembers } from "../../src/puppet/portal-setup";
import type { SessionContext } from "../../src/puppet/session-context";
import { ALICE, startTestEmulator, type Api } from "./emulator-helpers";

const CAP = 10;

describe("a new portal's people", { timeout: 60_000 }, () => {
  let api: Api;
  let client: NetworkClient;
  let roomId: string;
  const requests: string[] = [];

  const control = (path: string, body: unknown) => api.json("POST", `/_emulator${path}`, undefined, body);

  before(async () => {
    api = await startTestEmulator({ control: true, rateLimit: 100_000 });
    const crowd = Array.from({ length: 249 }, (_, i) => `crowd${i}`);
    for (const username of crowd) await control("/users", { username });
    roomId = (await control("/rooms", { uri: "test/crowd", members: [...crowd, "alice", "bob"] })).id;
    const first = await control("/messages", { user: "crowd5", room: roomId, text: "one" });
    await control("/messages", { user: "bob", room: roomId, text: "two" });
    await control("/messages", { user: "crowd7", room: roomId, text: "three" });
    await control("/messages", { user: "crowd9", room: roomId, text: "a reply", parentId: first.id });
    const counted: typeof fetch = (input, init) => {
      requests.push(String(input instanceof Request ? input.url : input));
      return fetch(input, init);
    };
    client = await new GitterConnector({ apiUrl: api.emu.url, fayeUrl: `${api.emu.url}/bayeux`, rest: { fetch: counted } }).connect(ALICE);
  });
  after(() => api.emu.stop());

  it("brings in the latest speakers first, then members, up to the cap, reading only the member pages needed", async () => {
    const everyone = await client.members(roomId);
    assert.equal(everyone.length, 251);
    const brought: string[] = [];
    const ghosts = {
      ensure: async (u: NetworkUser) => (brought.push(u.username), `@gitter_${u.username}:example.org`),
      ensureInRoom: async () => undefined,
    };
    // Only what populateMembers reads of a session.
    const ctx = { network: client, maxPortalMembers: CAP, ghosts } as unknown as SessionContext;
    const portal = { row: { gitterRoomId: roomId }, matrixRoomId: "!portal:example.org" } as PortalRoom;
    requests.length = 0;
    assert.equal(await populateMembers(ctx, portal), CAP);
    const speakers = ["crowd7", "bob", "crowd5"];
    const rest = everyone.map((u) => u.username).filter((n) => n !== "alice" && !speakers.includes(n));
    assert.deepEqual(brought, [...speakers, ...rest].slice(0, CAP));
    const memberPages = requests.filter((url) => new URL(url).pathname.endsWith(`/rooms/${roomId}/users`));
    assert.equal(memberPages.length, 1, `one page of members for a cap of ${CAP}: ${memberPages.join(", ")}`);
  });
});
