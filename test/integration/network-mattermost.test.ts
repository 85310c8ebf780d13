// The network interface's contract (./network-contract.ts) against Mattermost: src/mattermost/network.ts over the
// Mattermost emulator (emulator/mattermost/server.ts) and its control API.
import { MattermostConnector } from "../../src/mattermost/network";
import { ALICE, startMm, type MmApi } from "./mm-emulator-helpers";
import { runNetworkContract } from "./network-contract";

let api: MmApi;

runNetworkContract("Mattermost", {
  async start() {
    api = await startMm();
    await api.control("PUT", "/rate-limit", { enabled: false });
  },
  stop: () => api.emu.stop(),
  connector: () =>
    new MattermostConnector({
      serverUrl: api.emu.url,
      rest: { retry: { maxAttempts: 3, baseMs: 10, maxMs: 50 } },
      // Slow enough that messages posted just after a cut are posted while it lasts.
      websocket: { backoff: { baseMs: 400, maxMs: 800 }, pingIntervalMs: 2_000 },
    }),
  aliceToken: ALICE,
  issueToken: async () => (await api.control<{ token: string }>("POST", "/tokens", { user: "alice" })).token,
  revokeToken: async (token) => void (await api.control("DELETE", `/tokens/${token}`)),
  expectedRooms: [
    { kind: "group", name: "Development", qualifier: "Acme", link: "acme/dev" },
    { kind: "group", name: "Town Square", qualifier: "Beta Team", link: "beta/town-square" },
    { kind: "direct", name: "bob" },
    { kind: "group-direct", name: "bob, carol" },
  ],
  expectedKinds: ["group", "direct", "group-direct"],
  searchTerm: "lobby",
  unknownRoomId: "nochannel0000000000000000a",
  sharedRoom: "acme/dev",
  otherRoom: "acme/lobby",
  bob: {
    post: async (channel, message) => (await api.control<{ id: string }>("POST", "/posts", { as: "bob", channel, message })).id,
    edit: async (id, message) => void (await api.control("PUT", `/posts/${id}`, { message })),
    delete: async (id) => void (await api.control("DELETE", `/posts/${id}`)),
    react: async (postId, emoji) => void (await api.control("POST", "/reactions", { as: "bob", post_id: postId, emoji_name: emoji })),
  },
  reaction: "thumbsup",
  loseNextSendAnswer: async () => void (await api.control("POST", "/faults", { status: 503, count: 1, method: "POST", path: "^/posts$", drop: true })),
  cutRealtime: async () => void (await api.control("POST", "/cut-websockets", { user: "alice", forget: true })),
});
