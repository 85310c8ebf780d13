// Shared set-up for the emulator's integration tests: start one on an ephemeral port, call it over real HTTP.
import path from "node:path";
import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../../emulator/server";
import type { LiveEvent } from "../../emulator/live";

export const TEST_FIXTURE = path.join(__dirname, "..", "..", "fixtures", "test.yaml");
export const DEMO_FIXTURE = path.join(__dirname, "..", "..", "fixtures", "demo.yaml");
/** Pre-issued tokens of fixtures/test.yaml (client `test-client`). */
export const ALICE = "a".repeat(40);
export const BOB = "b".repeat(40);

export interface Api {
  emu: RunningEmulator;
  /** A REST call with a token (Bearer) and an optional JSON body. */
  call(method: string, path: string, token?: string, body?: unknown): Promise<Response>;
  /** Like call, but expects 2xx and returns the parsed JSON. */
  json<T = any>(method: string, path: string, token?: string, body?: unknown): Promise<T>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test convenience: callers pick the shape
  roomId(uri: string): string;
  userId(username: string): string;
  /** Every live event emitted since start. */
  live: LiveEvent[];
}

export async function startTestEmulator(opts: Partial<EmulatorOptions> = {}): Promise<Api> {
  const emu = await startEmulator({ fixture: TEST_FIXTURE, ...opts });
  const live: LiveEvent[] = [];
  emu.state.on("live", (e: LiveEvent) => live.push(e));
  const call = (method: string, p: string, token?: string, body?: unknown) => {
    const headers: Record<string, string> = { accept: "application/json" };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    return fetch(emu.url + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  };
  return {
    emu,
    live,
    call,
    async json(method, p, token, body) {
      const res = await call(method, p, token, body);
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${p} -> ${res.status}: ${text}`);
      return JSON.parse(text);
    },
    roomId(uri) {
      const room = emu.state.rooms.findByUri(uri);
      if (!room) throw new Error(`no room ${uri}`);
      return room.id;
    },
    userId(username) {
      const user = emu.state.findUserByName(username);
      if (!user) throw new Error(`no user ${username}`);
      return user.id;
    },
  };
}
