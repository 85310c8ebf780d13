// Fills an EmulatorState from a validated fixture. History is created oldest first so that backdated ids
// rise in the same order as their `sent` times.
import { FixtureError } from "./fixture-check";
import type { FixtureData, FixtureMessage } from "./fixture";
import type { EmulatorState } from "./state";
import { ApiError } from "./types";

const DEFAULT_SPACING_SECONDS = 60;
/** Fixture accounts are established ones unless told otherwise: past the spam check's 14-day probation. */
const DEFAULT_ACCOUNT_AGE_DAYS = 365;

function userId(state: EmulatorState, username: string): string {
  return state.findUserByName(username)!.id;
}

/** A one-to-one the fixture says exists (listed, or with history) has been opened by both: it shows in both lists. */
function existingChat(state: EmulatorState, a: string, b: string): string {
  const [ua, ub] = [userId(state, a), userId(state, b)];
  const room = state.rooms.openOneToOne(ua, ub);
  for (const u of [ua, ub]) state.recent.touch(u, room.id);
  return room.id;
}

function roomIdOf(state: EmulatorState, m: FixtureMessage): string {
  if (Array.isArray(m.room)) return existingChat(state, m.room[0], m.room[1]);
  return state.rooms.findByUri(m.room)!.id;
}

function applyHistory(state: EmulatorState, history: FixtureMessage[]): void {
  const now = Date.now();
  const timed = history.map((m, i) => ({
    m,
    i,
    at: now - 1000 * (m.ageSeconds ?? (history.length - i) * DEFAULT_SPACING_SECONDS),
  }));
  timed.sort((a, b) => a.at - b.at || a.i - b.i);
  const idsByKey = new Map<string, { id: string; at: number }>();
  for (const { m, i, at } of timed) {
    const parent = m.parent === undefined ? undefined : idsByKey.get(m.parent);
    if (m.parent !== undefined && !parent) throw new FixtureError(`history[${i}].ageSeconds`, "a reply must be newer than its parent");
    const roomId = roomIdOf(state, m);
    const author = userId(state, m.author);
    if (!state.isMember(author, roomId)) throw new FixtureError(`history[${i}].author`, `${m.author} is not a member of that room`);
    try {
      const msg = state.postMessage(author, roomId, { text: m.text, status: m.status, parentId: parent?.id, sentAtMs: at });
      if (m.key !== undefined) idsByKey.set(m.key, { id: msg.id, at });
    } catch (err) {
      if (err instanceof ApiError) throw new FixtureError(`history[${i}].text`, err.message);
      throw err;
    }
  }
}

/** Throws FixtureError when the data does not fit together (e.g. a history author outside the room). */
export function applyFixture(state: EmulatorState, data: FixtureData): void {
  for (const u of data.users) {
    const color = u.avatar?.startsWith("#") ? u.avatar : undefined;
    const url = u.avatar && !color ? u.avatar : undefined;
    const ageDays = u.ageDays ?? DEFAULT_ACCOUNT_AGE_DAYS;
    state.createUser({ id: u.id, username: u.username, displayName: u.displayName, password: u.password, avatarColor: color, avatarUrl: url, ageDays });
  }
  for (const r of data.rooms ?? []) {
    const room = state.createRoom({ id: r.id, uri: r.uri, name: r.name, topic: r.topic, security: r.security });
    for (const member of r.members) state.rooms.join(userId(state, member), room.id);
  }
  for (const [a, b] of data.oneToOne ?? []) existingChat(state, a, b);
  applyApps(state, data);
  for (const t of data.tokens ?? []) state.issueToken(userId(state, t.user), t.clientId, t.token);
  applyHistory(state, data.history ?? []);
}

/** Registers the fixture's OAuth apps (also on a state restored from a snapshot: apps are configuration). */
export function applyApps(state: EmulatorState, data: FixtureData): void {
  for (const a of data.oauthApps ?? []) state.auth.addApp({ ...a, name: a.name ?? a.clientId });
}
