// What the crash scenario (crash-driver.ts, crash-traffic.ts) asks of the network, each network's way: its whole
// stack with the user logged in, people posting, what the user's account posted, cutting the realtime connections,
// REST faults and 429 storms, through each emulator's control API. Rooms are named as that control API names them
// (a Gitter room uri, a Mattermost "team/channel").
import type { FixtureData as GitterFixture } from "../../emulator/fixture";
import type { FixtureData as MmFixture } from "../../emulator/mattermost/fixture";
import { startBridgedStack, type BridgedStack, type BridgedUser } from "./bridged-stack";
import type { BridgeProcess } from "./stack";
import type { SynapseHandle } from "./synapse";
import { startMmStack, type MmStack } from "./mm-stack";

/** What the crash scenario uses of a stack, whatever the network. */
export interface CrashStack {
  dir: string;
  synapse: SynapseHandle;
  bridge: BridgeProcess;
  /** Matrix localpart -> the user, with their portals by room name. */
  users: Map<string, BridgedUser>;
  bridgeLines(): string[];
  spawnBridge(): void;
  stop(): Promise<void>;
}

/** One injected REST failure; the network picks its own calls and answers. */
export type CrashFault =
  /** The next `count` posts by the bridge are made, but answered `status`: the bridge cannot tell they were. */
  | { kind: "post-answered-error"; status: number; count: number }
  /** The next `count` posts are made, and their answer is lost with the connection. */
  | { kind: "post-answer-dropped"; count: number }
  /** The next `count` calls of any kind are refused with `status`, without being handled. */
  | { kind: "refused"; status: number; count: number };

/** The network's side of a running stack. */
export interface NetworkDriver {
  postAs(user: string, room: string, text: string): Promise<void>;
  /** Every text `user` posted in `room`, oldest first, as the network keeps them. */
  postedBy(user: string, room: string): Promise<string[]>;
  /** Cuts every realtime connection; `random` is there for choices the network has (Gitter has none). */
  cutConnections(random: () => number): Promise<void>;
  arm(fault: CrashFault): Promise<void>;
  clearFaults(): Promise<void>;
  /** A tiny rate limit (a storm of 429s) on, or the usual one back. */
  rateLimitStorm(on: boolean): Promise<void>;
}

export interface CrashStackSpec {
  name: string;
  /** The Matrix user's localpart, also their username on the network. */
  user: string;
  posters: string[];
  rooms: string[];
  logLevel: "debug" | "info";
  database?: string;
  /** Extra node flags for every bridge process (e.g. --cpu-prof for a benchmark's profile). */
  bridgeNodeArgs?: string[];
}

/** A network the crash scenario runs on: its stack, and its driver over that stack. */
export interface CrashNetwork<S extends CrashStack> {
  name: string;
  start(spec: CrashStackSpec): Promise<S>;
  driver(stack: S): NetworkDriver;
}

const title = (u: string) => `${u[0].toUpperCase()}${u.slice(1)}`;

export const gitterNetwork: CrashNetwork<BridgedStack> = {
  name: "gitter",
  start: (spec) => {
    const people = [spec.user, ...spec.posters];
    const fixture: GitterFixture = {
      users: people.map((u) => ({ username: u, displayName: title(u), password: `${u}-pass` })),
      rooms: spec.rooms.map((uri) => ({ uri, members: people })),
    };
    const user = { localpart: spec.user, gitterUsername: spec.user, gitterPassword: `${spec.user}-pass`, rooms: spec.rooms };
    return startBridgedStack({ name: spec.name, fixture, users: [user], logLevel: spec.logLevel, database: spec.database, bridgeNodeArgs: spec.bridgeNodeArgs });
  },
  driver: gitterDriver,
};

/** Gitter's emulator control API (emulator/control.ts). */
export function gitterDriver(stack: Pick<BridgedStack, "control" | "postAs">): NetworkDriver {
  const posts = { method: "POST", path: "/chatMessages$" };
  return {
    postAs: async (user, room, text) => void (await stack.postAs(user, room, text)),
    postedBy: async (user, room) => {
      const messages = (await stack.control(`/messages?room=${encodeURIComponent(room)}`)) as Array<{ text: string; fromUser: { username: string } }>;
      return messages.filter((m) => m.fromUser.username === user).map((m) => m.text);
    },
    cutConnections: async () => void (await stack.control("/cut-connections", { method: "POST" })),
    arm: async (fault) => {
      const body =
        fault.kind === "post-answered-error" ? { ...posts, mode: "after", status: fault.status, count: fault.count }
        : fault.kind === "post-answer-dropped" ? { ...posts, mode: "drop", count: fault.count }
        : { mode: "before", status: fault.status, count: fault.count };
      await stack.control("/faults", { method: "POST", body });
    },
    clearFaults: async () => void (await stack.control("/faults", { method: "DELETE" })),
    rateLimitStorm: async (on) => {
      const body = on ? { limit: 3, windowSeconds: 1 } : { limit: 100_000, windowSeconds: 60 };
      await stack.control("/rate-limit", { method: "PUT", body });
    },
  };
}

export const mattermostNetwork: CrashNetwork<MmStack> = {
  name: "mattermost",
  start: (spec) => {
    const people = [spec.user, ...spec.posters];
    const teams = [...new Set(spec.rooms.map((r) => r.split("/")[0]))];
    const fixture: MmFixture = {
      teams: teams.map((name) => ({ name })),
      users: people.map((u) => ({ username: u, firstName: title(u), password: `${u}-pass`, teams })),
      channels: spec.rooms.map((ref) => ({ team: ref.split("/")[0], name: ref.split("/")[1], members: people })),
    };
    const user = { localpart: spec.user, mattermostUsername: spec.user, channels: spec.rooms };
    return startMmStack({
      name: spec.name, fixture, users: [user], logLevel: spec.logLevel, database: spec.database, oauthApp: false, bridgeNodeArgs: spec.bridgeNodeArgs,
    });
  },
  driver: mattermostDriver,
};

/** The Mattermost emulator's control API (emulator/mattermost/control.ts); the posts are read from its state. */
export function mattermostDriver(stack: Pick<MmStack, "control" | "emulator">): NetworkDriver {
  const posts = { method: "POST", path: "^/posts$" };
  const { state } = stack.emulator;
  return {
    postAs: async (user, room, text) => void (await stack.control("/posts", { method: "POST", body: { as: user, channel: room, message: text } })),
    postedBy: async (user, room) => {
      const [team, name] = room.split("/");
      const t = [...state.teams.values()].find((x) => x.name === team);
      const channel = [...state.channels.values()].find((c) => c.team_id === t?.id && c.name === name);
      const author = state.userByName(user)?.id;
      // The posts map keeps creation order, which is the channel's order (create_at never goes back).
      return [...state.posts.values()].filter((p) => p.channel_id === channel?.id && p.user_id === author && p.delete_at === 0).map((p) => p.message);
    },
    // Half the cuts also make the server forget the connection, so the bridge's resume finds its events gone.
    cutConnections: async (random) => void (await stack.control("/cut-websockets", { method: "POST", body: { forget: random() < 0.5 } })),
    arm: async (fault) => {
      const body =
        fault.kind === "post-answered-error" ? { ...posts, after: true, status: fault.status, count: fault.count }
        : fault.kind === "post-answer-dropped" ? { ...posts, drop: true, count: fault.count }
        : { status: fault.status, count: fault.count };
      await stack.control("/faults", { method: "POST", body });
    },
    clearFaults: async () => void (await stack.control("/faults", { method: "DELETE" })),
    rateLimitStorm: async (on) => {
      await stack.control("/rate-limit", { method: "PUT", body: on ? { perSec: 3, burst: 0 } : { enabled: false } });
    },
  };
}
