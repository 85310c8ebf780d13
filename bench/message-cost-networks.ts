// The networks the message-cost benchmark compares: each one's emulator in this process with one user (alice,
// logged in by a token) and a poster (bob) in a few rooms, posting as bob, and counting alice's posts and the
// requests the emulator answers (all but its control API: what the bridge asks of the network).
import type { IncomingMessage, Server } from "node:http";
import type { FixtureData as GitterFixture } from "../emulator/fixture";
import type { FixtureData as MmFixture } from "../emulator/mattermost/fixture";
import { startMattermostEmulator } from "../emulator/mattermost/server";
import { startEmulator } from "../emulator/server";
import type { SeedLogin } from "../test/harness/seed";
import type { NetworkInput } from "../test/harness/stack";

export interface CostWorld {
  /** The bridge's network section. */
  input: NetworkInput;
  /** Alice's login, for the bridge's store (mxid left to the caller). */
  login: Omit<SeedLogin, "mxid">;
  /** The network's room ids, in order. */
  roomIds: string[];
  /** Posts `text` as bob in the `room`-th room. */
  post(room: number, text: string): Promise<void>;
  /** How many posts alice's account has made, everywhere. */
  ownPosts(): number;
  /**
   * How many requests the emulator has answered outside its control API: the bridge's, its only client (Gitter's
   * include the Bayeux long-polls that carry its realtime messages; Mattermost's websocket is not a request).
   */
  requests(): number;
  stop(): Promise<void>;
}

export interface CostNetwork {
  name: string;
  start(rooms: number): Promise<CostWorld>;
}

const people = ["alice", "bob"];

/** Counts the server's requests outside /_emulator (Express rewrites req.url inside a router: originalUrl keeps it). */
function requestCounter(server: Server): () => number {
  let n = 0;
  server.on("request", (req: IncomingMessage & { originalUrl?: string }) => {
    if (!(req.originalUrl ?? req.url ?? "").startsWith("/_emulator")) n++;
  });
  return () => n;
}

async function control(url: string, route: string, body: unknown): Promise<void> {
  const res = await fetch(`${url}/_emulator${route}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${route}: ${res.status} ${await res.text()}`);
  await res.arrayBuffer();
}

export const gitter: CostNetwork = {
  name: "gitter",
  start: async (rooms) => {
    const uris = Array.from({ length: rooms }, (_, i) => `bench/room${i + 1}`);
    const fixture: GitterFixture = { users: people.map((username) => ({ username })), rooms: uris.map((uri) => ({ uri, members: people })) };
    const emu = await startEmulator({ fixture, control: true, rateLimit: 1_000_000 });
    const alice = emu.state.findUserByName("alice")!;
    const token = emu.state.issueToken(alice.id, "bench-client");
    return {
      input: { gitterUrl: emu.url, clientId: "bench-client", clientSecret: "s" },
      login: { gitterUserId: alice.id, gitterUsername: "alice", token },
      roomIds: uris.map((uri) => emu.state.rooms.findByUri(uri)!.id),
      post: (room, text) => control(emu.url, "/messages", { user: "bob", room: uris[room], text }),
      ownPosts: () => emu.state.chat.allMessages().filter((m) => m.fromUserId === alice.id).length,
      requests: requestCounter(emu.server),
      stop: () => emu.stop(),
    };
  },
};

export const mattermost: CostNetwork = {
  name: "mattermost",
  start: async (rooms) => {
    const names = Array.from({ length: rooms }, (_, i) => `room${i + 1}`);
    const fixture: MmFixture = {
      teams: [{ name: "bench" }],
      users: people.map((username) => ({ username, teams: ["bench"] })),
      channels: names.map((name) => ({ team: "bench", name, members: people })),
    };
    const emu = await startMattermostEmulator({ fixture, control: true, rateLimit: false });
    const alice = emu.state.userByName("alice")!;
    const token = emu.state.newSession(alice.id, "pat").token;
    const channels = names.map((name) => [...emu.state.channels.values()].find((c) => c.name === name)!.id);
    return {
      input: { mattermostUrl: emu.url },
      login: { gitterUserId: alice.id, gitterUsername: "alice", token },
      roomIds: channels,
      post: (room, text) => control(emu.url, "/posts", { as: "bob", channel: channels[room], message: text }),
      ownPosts: () => [...emu.state.posts.values()].filter((p) => p.user_id === alice.id).length,
      requests: requestCounter(emu.server),
      stop: () => emu.stop(),
    };
  },
};
