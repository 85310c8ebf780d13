// Reading the Mattermost emulator's state and a Matrix room from e2e tests: ids by name, and waiting for the post
// or event a step should have produced.
import type { MatrixClient } from "matrix-bot-sdk";
import type { MmPost } from "../../emulator/mattermost/types";
import { roomEvents, type RawEvent } from "./matrix-events";
import type { MmStack } from "./mm-stack";
import { eventually } from "./stack";

/** The id of channel `name` of team `team` in the emulator. */
export function mmChannelId(stack: MmStack, team: string, name: string): string {
  const t = [...stack.emulator.state.teams.values()].find((x) => x.name === team)!;
  return [...stack.emulator.state.channels.values()].find((c) => c.team_id === t.id && c.name === name)!.id;
}

export const mmUserId = (stack: MmStack, name: string): string => stack.emulator.state.userByName(name)!.id;

/** The newest post in `channel` matching `pred`, once there is one. */
export function mmPostWhere(stack: MmStack, channel: string, pred: (p: MmPost) => boolean, what: string): Promise<MmPost> {
  return eventually(() => [...stack.emulator.state.posts.values()].filter((p) => p.channel_id === channel && pred(p)).pop(), what);
}

/** The first event of `room` matching `pred`, once there is one. */
export function roomEventWhere(client: MatrixClient, room: string, pred: (e: RawEvent) => boolean, what: string): Promise<RawEvent> {
  return eventually(async () => (await roomEvents(client, room)).find(pred), what);
}

/** The `rel_type` and `event_id` of an `m.relates_to`, whatever else it holds. */
export function pick(relation: unknown): { rel_type?: string; event_id?: string } {
  const r = relation as { rel_type?: string; event_id?: string } | undefined;
  return { rel_type: r?.rel_type, event_id: r?.event_id };
}
