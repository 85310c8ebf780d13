// The Mattermost emulator's world as one JSON value, so a demo run with --keep finds its Mattermost as it left it:
// users, teams, channels and members, posts (deleted ones too, as the server keeps them), reactions, files with
// their bytes, preferences, sessions and OAuth tokens (so a stored login still works), the create dedup window and
// the clock. OAuth apps are configuration, not world: they come from the fixture each start. Not a Mattermost
// behaviour; a real server keeps its database. Kept in a file by ../world-file.
import type { AccessData, OAuthStore } from "./oauth-store";
import { preferenceKey, type MmState } from "./state";
import type { MmChannel, MmFile, MmMember, MmPost, MmPreference, MmReaction, MmSession, MmTeam, MmUser } from "./types";

const VERSION = 1;

export interface MmSnapshot {
  version: typeof VERSION;
  clock: number;
  users: MmUser[];
  teams: Array<{ team: MmTeam; members: string[] }>;
  channels: Array<{ channel: MmChannel; members: MmMember[] }>;
  posts: MmPost[];
  reactions: MmReaction[];
  /** A file's bytes in base64. */
  files: Array<Omit<MmFile, "data"> & { data: string }>;
  preferences: Array<{ userId: string; list: MmPreference[] }>;
  sessions: MmSession[];
  oauth: AccessData[];
  pendingPosts: Array<[string, { postId: string; at: number }]>;
}

export function takeMmSnapshot(state: MmState, oauth: OAuthStore): MmSnapshot {
  const copy = <T extends object>(list: Iterable<T>): T[] => [...list].map((x) => structuredClone(x));
  return {
    version: VERSION,
    clock: state.clock,
    users: copy(state.users.values()),
    teams: [...state.teams.values()].map((team) => ({ team: { ...team }, members: [...(state.teamMembers.get(team.id) ?? [])] })),
    channels: [...state.channels.values()].map((channel) => ({ channel: { ...channel }, members: state.channelMembers(channel.id).map((m) => ({ ...m })) })),
    posts: copy(state.posts.values()),
    reactions: copy(state.reactions),
    files: [...state.files.values()].map((f) => ({ ...f, data: f.data.toString("base64") })),
    preferences: [...state.preferences.keys()].map((userId) => ({ userId, list: state.preferencesOf(userId) })),
    sessions: copy(state.sessions.values()),
    oauth: oauth.dumpAccess(),
    pendingPosts: [...state.pendingPosts.entries()].map(([k, v]) => [k, { ...v }]),
  };
}

/** Fills an empty state (no fixture applied) from a snapshot. Throws on a snapshot of another version. */
export function restoreMmSnapshot(state: MmState, oauth: OAuthStore, snap: MmSnapshot): void {
  if (snap.version !== VERSION) throw new Error(`Mattermost emulator snapshot version ${String(snap.version)} is not ${VERSION}`);
  state.clock = snap.clock;
  for (const u of snap.users) state.users.set(u.id, u);
  for (const { team, members } of snap.teams) {
    state.teams.set(team.id, team);
    state.teamMembers.set(team.id, new Set(members));
  }
  for (const { channel, members } of snap.channels) {
    state.channels.set(channel.id, channel);
    state.members.set(channel.id, new Map(members.map((m) => [m.user_id, m])));
  }
  for (const p of snap.posts) state.posts.set(p.id, p);
  state.reactions = snap.reactions;
  for (const f of snap.files) state.files.set(f.id, { ...f, data: Buffer.from(f.data, "base64") });
  for (const { userId, list } of snap.preferences) state.preferences.set(userId, new Map(list.map((p) => [preferenceKey(p), p])));
  for (const s of snap.sessions) state.sessions.set(s.token, s);
  oauth.loadAccess(snap.oauth);
  for (const [k, v] of snap.pendingPosts) state.pendingPosts.set(k, v);
}
