// Shared set-up for the Mattermost emulator's tests: start one on an ephemeral port, call it over real HTTP.
import path from "node:path";
import { startMattermostEmulator, type MmEmulatorOptions, type RunningMmEmulator } from "../../emulator/mattermost/server";

export const MM_FIXTURE = path.join(__dirname, "..", "..", "fixtures", "mattermost-test.yaml");
/** Personal access tokens of fixtures/mattermost-test.yaml. */
export const ALICE = "a".repeat(26);
export const BOB = "b".repeat(26);
export const CAROL = "c".repeat(26);

/** A response's JSON body, in whatever shape the test expects. */
export async function read<T = any>(res: Response): Promise<T> { // eslint-disable-line @typescript-eslint/no-explicit-any -- test convenience: callers pick the shape
  return (await res.json()) as T;
}

export interface MmApi {
  emu: RunningMmEmulator;
  call(method: string, path: string, token?: string, body?: unknown): Promise<Response>;
  /** Expects 2xx and returns the parsed JSON. */
  json<T = any>(method: string, path: string, token?: string, body?: unknown): Promise<T>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test convenience: callers pick the shape
  control<T = any>(method: string, path: string, body?: unknown): Promise<T>; // eslint-disable-line @typescript-eslint/no-explicit-any -- as above
  userId(username: string): string;
  channelId(ref: string): string;
}

export async function startMm(opts: Partial<MmEmulatorOptions> = {}): Promise<MmApi> {
  const emu = await startMattermostEmulator({ fixture: MM_FIXTURE, control: true, ...opts });
  const call = (method: string, p: string, token?: string, body?: unknown) => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    return fetch(emu.url + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  };
  const json = async (method: string, p: string, token?: string, body?: unknown) => {
    const res = await call(method, p, token, body);
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${p} -> ${res.status}: ${text}`);
    return JSON.parse(text);
  };
  return {
    emu,
    call,
    json,
    control: (method, p, body) => json(method, `/_emulator${p}`, undefined, body),
    userId(username) {
      const u = emu.state.userByName(username);
      if (!u) throw new Error(`no user ${username}`);
      return u.id;
    },
    channelId(ref) {
      const [team, name] = ref.split("/");
      const t = [...emu.state.teams.values()].find((x) => x.name === team);
      const c = [...emu.state.channels.values()].find((x) => x.team_id === t?.id && x.name === name);
      if (!c) throw new Error(`no channel ${ref}`);
      return c.id;
    },
  };
}
