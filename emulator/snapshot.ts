// The emulator's whole world as one JSON file, so a demo can stop and start again and find its Gitter as it
// left it: users, rooms and members, every message (deleted ones too, as Gitter keeps them), unread items,
// tokens and the id sequence. OAuth apps are configuration, not world: they come from the fixture each start.
// Not a Gitter behaviour; real Gitter simply kept its database. Kept in a file by ./world-file.
import type { IdGeneratorState } from "./ids";
import type { RoomBookDump } from "./room-book";
import type { EmulatorState } from "./state";
import type { RecentDump } from "./recent-rooms";
import type { EmMessage, EmToken, EmUser } from "./types";
import type { UnreadDump } from "./unread-store";

const VERSION = 1;

export interface Snapshot {
  version: typeof VERSION;
  ids: IdGeneratorState;
  users: EmUser[];
  rooms: RoomBookDump;
  messages: StoredMessage[];
  unread: UnreadDump[];
  /** Last access times; absent in a snapshot of an earlier version (RoomBook.load then makes them up). */
  recent?: RecentDump[];
  tokens: EmToken[];
}

/** A message with its dates as ISO strings and its readers as a list. */
type StoredMessage = Omit<EmMessage, "sent" | "editedAt" | "readBy"> & { sent: string; editedAt?: string; readBy: string[] };

export function takeSnapshot(state: EmulatorState): Snapshot {
  return {
    version: VERSION,
    ids: state.ids.dump(),
    users: state.allUsers().map((u) => ({ ...u })),
    rooms: state.rooms.dump(),
    messages: state.chat.dump().map(storeMessage),
    unread: state.unread.dump(),
    recent: state.recent.dump(),
    tokens: state.auth.dumpTokens(),
  };
}

/** Fills an empty state (no fixture applied) from a snapshot. Throws on a snapshot of another version. */
export function restoreSnapshot(state: EmulatorState, snap: Snapshot): void {
  if (snap.version !== VERSION) throw new Error(`emulator snapshot version ${String(snap.version)} is not ${VERSION}`);
  state.ids.load(snap.ids);
  for (const u of snap.users) Object.assign(state.createUser(u), u);
  state.rooms.load(snap.rooms);
  state.chat.load(snap.messages.map(loadMessage));
  state.unread.load(snap.unread);
  state.recent.load(snap.recent ?? []);
  state.auth.loadTokens(snap.tokens);
}

function storeMessage(m: EmMessage): StoredMessage {
  return { ...m, sent: m.sent.toISOString(), editedAt: m.editedAt?.toISOString(), readBy: [...m.readBy] };
}

function loadMessage(m: StoredMessage): EmMessage {
  return { ...m, sent: new Date(m.sent), editedAt: m.editedAt === undefined ? undefined : new Date(m.editedAt), readBy: new Set(m.readBy) };
}
