// What the realtime transports need from the emulator state: identity, membership and snapshots, plus the
// "live" events they route. A Pick keeps the transports honest about how little of the state they touch.
import type { LiveSource } from "./live";
import type { EmulatorState } from "./state";

export type RealtimeState = LiveSource &
  Pick<EmulatorState, "userForToken" | "isMember" | "canRead" | "visitRoom" | "getRoom" | "listMessages" | "serializeRoomFor">;
