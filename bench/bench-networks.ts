// Each network's side of the stack the Synapse benchmarks measure: the whole-stack harness the crash test uses
// (test/harness/crash-network.ts: fixture, login, portals, posting through the emulator's control API), the
// emulator's rate limit out of the way, and where the emulator reports each post it creates.
import type { LiveEvent, LiveSource } from "../emulator/live";
import type { MmState } from "../emulator/mattermost/state";
import type { WsEvent } from "../emulator/mattermost/types";
import { gitterNetwork, mattermostNetwork, type CrashStack, type CrashStackSpec, type NetworkDriver } from "../test/harness/crash-network";
import type { BridgeFiles } from "../test/harness/stack";

export const BENCH_NETWORKS = ["gitter", "mattermost"] as const;
export type BenchNetwork = (typeof BENCH_NETWORKS)[number];

/** What the Gitter benchmark sets the emulator's rate limit to (requests per 60 s per token). */
export const LIFTED_RATE_LIMIT = 1_000_000_000;

/** Calls `report` with the text of each post the emulator creates, whoever makes it; returns what stops that. */
export type PostSource = (report: (text: string) => void) => () => void;

/** What the benchmarks use of either network's stack. */
export interface NetworkStack extends CrashStack {
  files: BridgeFiles;
  restartBridge(): Promise<void>;
}

export interface StartedNetwork {
  stack: NetworkStack;
  driver: NetworkDriver;
  posts: PostSource;
  /** How the emulator's rate limit was set for the run, for the report. */
  rateLimit: string;
}

/** Starts `network`'s stack with `spec.user` logged in and joined to a portal per room; stops it again on failure. */
export async function startNetwork(network: BenchNetwork, spec: CrashStackSpec): Promise<StartedNetwork> {
  if (network === "mattermost") {
    // mm-stack.ts starts the emulator with its rate limit off.
    const stack = await mattermostNetwork.start(spec);
    return { stack, driver: mattermostNetwork.driver(stack), posts: mattermostPosts(stack.emulator.state), rateLimit: "off" };
  }
  const stack = await gitterNetwork.start(spec);
  try {
    // The bridge sends the user's messages with the user's own token: 100 requests a minute would measure the limit.
    await stack.control("/rate-limit", { method: "PUT", body: { limit: LIFTED_RATE_LIMIT, windowSeconds: 60 } });
  } catch (err) {
    await stack.stop();
    throw err;
  }
  const rateLimit = `lifted to ${LIFTED_RATE_LIMIT} requests / 60 s per token`;
  return { stack, driver: gitterNetwork.driver(stack), posts: gitterPosts(stack.emulator.state), rateLimit };
}

/** Gitter's emulator: the "live" chat-create events of its state (emulator/live.ts). */
function gitterPosts(source: LiveSource): PostSource {
  return (report) => {
    const listener = (e: LiveEvent) => {
      if (e.kind === "chat" && e.operation === "create" && typeof e.model.text === "string") report(e.model.text);
    };
    source.on("live", listener);
    return () => void source.off("live", listener);
  };
}

/** Mattermost's emulator: the `posted` websocket events its state publishes, the post as a JSON string. */
function mattermostPosts(state: MmState): PostSource {
  return (report) => {
    const listener = (e: WsEvent) => {
      if (e.event !== "posted" || typeof e.data.post !== "string") return;
      const post = JSON.parse(e.data.post) as { message?: unknown };
      if (typeof post.message === "string") report(post.message);
    };
    state.on("ws", listener);
    return () => void state.off("ws", listener);
  };
}
