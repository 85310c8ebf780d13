// The Mattermost client's getUser against the emulator, counting the emulator's GET /users/{id}: the core looks up
// the author of every post it bridges, and while the websocket is connected that is one request per user, not one
// per post; a user_updated (a profile change), a lost connection or no connection at all means asking again.
import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { after, afterEach, before, describe, it } from "node:test";
import { MattermostConnector } from "../../src/mattermost/network";
import type { NetworkClient } from "../../src/network/connector";
import { ALICE, BOB, startMm, type MmApi } from "./mm-emulator-helpers";
import { listen, waitFor } from "./network-contract";

let mm: MmApi;
let bob: string;
/** Every request the emulator received, as `METHOD path`. */
const requests: string[] = [];
const watching: ReturnType<typeof listen>[] = [];

before(async () => {
  mm = await startMm();
  await mm.control("PUT", "/rate-limit", { enabled: false });
  bob = mm.userId("bob");
  mm.emu.server.on("request", (req: IncomingMessage & { originalUrl?: string }) => requests.push(`${req.method} ${req.originalUrl ?? req.url}`));
});
after(() => mm.emu.stop());
afterEach(() => watching.splice(0).forEach((w) => w.stream.stop()));

const lookups = () => requests.filter((r) => r === `GET /api/v4/users/${bob}`).length;

async function client(): Promise<NetworkClient> {
  return new MattermostConnector({ serverUrl: mm.emu.url, websocket: { backoff: { baseMs: 50, maxMs: 100 } } }).connect(ALICE);
}

async function connected(): Promise<{ client: NetworkClient; w: ReturnType<typeof listen> }> {
  const c = await client();
  const w = listen(c);
  watching.push(w);
  await waitFor("connected", () => w.stream.state === "connected");
  return { client: c, w };
}

/** getUser until its display name is `name` (the change is told over the websocket, asynchronously). */
async function nameBecomes(c: NetworkClient, name: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if ((await c.getUser(bob)).displayName === name) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`bob's name never became ${name}`);
}

describe("Mattermost client: users looked up by id", () => {
  it("asks the server once per user while the websocket is connected", async () => {
    const { client: c } = await connected();
    const before = lookups();
    for (let i = 0; i < 3; i++) assert.equal((await c.getUser(bob)).username, "bob");
    assert.equal(lookups() - before, 1);
  });

  it("asks again once the user's profile changed (user_updated), and gets the new name", async () => {
    const { client: c } = await connected();
    await c.getUser(bob);
    const before = lookups();
    await mm.json("PUT", `/api/v4/users/${bob}/patch`, BOB, { first_name: "Robert", last_name: "B" });
    await nameBecomes(c, "Robert B");
    assert.equal(lookups() - before, 1);
    assert.equal((await c.getUser(bob)).displayName, "Robert B");
    assert.equal(lookups() - before, 1);
  });

  it("asks every time without a connected websocket, and again after the connection was lost", async () => {
    const c = await client();
    const before = lookups();
    await c.getUser(bob);
    await c.getUser(bob);
    assert.equal(lookups() - before, 2);
    const { client: live, w } = await connected();
    await live.getUser(bob);
    const cut = w.states.length;
    await mm.control("POST", "/cut-websockets", { user: "alice", forget: true });
    await waitFor("reconnected", () => w.states.slice(cut).includes("reconnecting") && w.stream.state === "connected");
    await live.getUser(bob);
    await live.getUser(bob);
    assert.equal(lookups() - before, 4);
  });
});
