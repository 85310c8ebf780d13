// The network interface's contract (./network-contract.ts) against Gitter: src/gitter/network.ts over the Gitter
// emulator (emulator/server.ts) and its control API.
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { GitterConnector } from "../../src/gitter/network";
import { runNetworkContract } from "./network-contract";
import { ALICE, TEST_FIXTURE } from "./emulator-helpers";

let emu: RunningEmulator;

async function control<T>(method: string, route: string, body?: unknown): Promise<T> {
  const res = await fetch(`${emu.url}/_emulator${route}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`control ${method} ${route} -> ${res.status}: ${await res.text()}`);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

runNetworkContract("Gitter", {
  async start() {
    emu = await startEmulator({ port: 0, fixture: TEST_FIXTURE, control: true, rateLimit: 100_000 });
  },
  stop: () => emu.stop(),
  connector: () =>
    new GitterConnector({
      apiUrl: emu.url,
      fayeUrl: `${emu.url}/bayeux`,
      rest: { retry: { maxAttempts: 2, baseMs: 10, maxMs: 50 } },
      // Slow enough that messages posted just after a cut are posted while it lasts.
      realtime: { livenessTimeoutMs: 5_000, backoff: { baseMs: 400, maxMs: 800 } },
    }),
  aliceToken: ALICE,
  issueToken: async () => (await control<{ access_token: string }>("POST", "/tokens", { user: "alice" })).access_token,
  revokeToken: async (token) => void (await control("POST", "/tokens/revoke", { token })),
  expectedRooms: [
    { kind: "group", name: "test/general", link: "test/general", topic: "General talk" },
    { kind: "direct", name: "Carol Chen" },
  ],
  expectedKinds: ["group", "direct"],
  searchTerm: "other",
  unknownRoomId: "0123456789abcdef01234567",
  sharedRoom: "test/general",
  otherRoom: "test/other",
  bob: {
    post: async (room, text) => (await control<{ id: string }>("POST", "/messages", { user: "bob", room, text })).id,
    edit: async (id, text) => void (await control("PUT", `/messages/${id}`, { text })),
    delete: async (id) => void (await control("DELETE", `/messages/${id}`)),
    react: () => Promise.reject(new Error("Gitter has no reactions")),
  },
  reaction: "thumbsup",
  loseNextSendAnswer: async () => void (await control("POST", "/faults", { mode: "drop", status: 502, count: 1, method: "POST", path: "/chatMessages$" })),
  cutRealtime: async () => void (await control("POST", "/cut-connections")),
});
