// Fixtures: the teams, users, channels, history and OAuth apps a Mattermost emulator starts with, in YAML
// (see fixtures/mattermost-test.yaml). loadFixture throws FixtureError naming the bad key.
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { isValidId, newId } from "./ids";
import type { MmState } from "./state";
import type { ChannelType, MmChannel, MmPost } from "./types";

export class FixtureError extends Error {}

export interface FixtureUser { username: string; password?: string; firstName?: string; lastName?: string; teams?: string[]; token?: string }
export interface FixtureChannel { team: string; name: string; displayName?: string; type?: "O" | "P"; members: string[] }
export interface FixtureHistory { channel: string | string[]; author: string; message: string; ageSeconds?: number; key?: string; root?: string }
export interface FixtureApp { clientId: string; clientSecret: string; redirectUri: string; name?: string; trusted?: boolean }
export interface FixtureData {
  teams: { name: string; displayName?: string }[];
  users: FixtureUser[];
  channels?: FixtureChannel[];
  direct?: string[][];
  groups?: string[][];
  history?: FixtureHistory[];
  oauthApps?: FixtureApp[];
}

function need(cond: unknown, key: string, what: string): void {
  if (!cond) throw new FixtureError(`fixture: ${key} ${what}`);
}

export function validateFixture(d: unknown): FixtureData {
  const f = d as FixtureData;
  need(f && Array.isArray(f.teams) && Array.isArray(f.users), "teams and users", "must be lists");
  const users = new Set(f.users.map((u, i) => {
    need(typeof u.username === "string" && /^[a-z0-9._-]{1,64}$/.test(u.username), `users[${i}].username`, "must be lower-case letters, digits, . _ -");
    need(u.token === undefined || isValidId(u.token), `users[${i}].token`, "must be a 26-character id");
    return u.username;
  }));
  const teams = new Set(f.teams.map((t) => t.name));
  (f.channels ?? []).forEach((c, i) => {
    need(teams.has(c.team), `channels[${i}].team`, `names no team ${JSON.stringify(c.team)}`);
    need(c.type === undefined || c.type === "O" || c.type === "P", `channels[${i}].type`, "must be O or P");
    c.members.forEach((m, j) => need(users.has(m), `channels[${i}].members[${j}]`, `names no user ${JSON.stringify(m)}`));
  });
  (f.history ?? []).forEach((h, i) => need(users.has(h.author), `history[${i}].author`, `names no user ${JSON.stringify(h.author)}`));
  return f;
}

export function loadFixture(file: string): FixtureData {
  let data: unknown;
  try {
    data = parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new FixtureError(`fixture ${file}: ${(err as Error).message}`);
  }
  return validateFixture(data);
}

export function applyFixture(state: MmState, f: FixtureData): void {
  const teamIds = new Map(f.teams.map((t) => [t.name, state.addTeam({ name: t.name, display_name: t.displayName ?? t.name }).id]));
  const userIds = new Map<string, string>();
  for (const u of f.users) {
    const user = state.addUser({ username: u.username, password: u.password ?? "", first_name: u.firstName ?? "", last_name: u.lastName ?? "" });
    userIds.set(u.username, user.id);
    for (const t of u.teams ?? []) state.teamMembers.get(teamIds.get(t) ?? "")?.add(user.id);
    if (u.token) state.sessions.set(u.token, { token: u.token, user_id: user.id, kind: "pat", expires_at: 0 });
  }
  const uid = (name: string) => userIds.get(name) ?? "";
  const byRef = new Map<string, MmChannel>();
  for (const c of f.channels ?? []) {
    const ch = state.addChannel({ team_id: teamIds.get(c.team)!, name: c.name, display_name: c.displayName ?? c.name, type: (c.type ?? "O") as ChannelType });
    for (const m of c.members) state.addMember(ch, uid(m), true);
    byRef.set(`${c.team}/${c.name}`, ch);
  }
  for (const [a, b] of f.direct ?? []) byRef.set(`${a},${b}`, state.directChannel(uid(a), uid(b), uid(a)));
  for (const g of f.groups ?? []) byRef.set(g.join(","), state.groupChannel(g.map(uid), uid(g[0])));
  applyHistory(state, f.history ?? [], byRef, uid);
  applyApps(state, f);
}

/** The fixture's OAuth apps alone: configuration, also for a world restored from a snapshot. */
export function applyApps(state: MmState, f: FixtureData): void {
  for (const a of f.oauthApps ?? []) state.apps.set(a.clientId, { ...a, name: a.name ?? a.clientId, trusted: a.trusted ?? false });
}

function applyHistory(state: MmState, history: FixtureHistory[], byRef: Map<string, MmChannel>, uid: (n: string) => string): void {
  const now = Date.now();
  const keys = new Map<string, string>();
  const items = history.map((h, i) => ({ h, at: now - (h.ageSeconds ?? history.length - i) * 1000 })).sort((a, b) => a.at - b.at);
  items.forEach(({ h, at }, i) => {
    const ref = Array.isArray(h.channel) ? h.channel.join(",") : h.channel;
    const c = byRef.get(ref);
    if (!c) throw new FixtureError(`fixture: history[${i}].channel names no channel ${JSON.stringify(ref)}`);
    const t = at + i; // distinct times keep the order
    const p: MmPost = {
      id: newId(), create_at: t, update_at: t, edit_at: 0, delete_at: 0, user_id: uid(h.author), channel_id: c.id,
      root_id: h.root ? (keys.get(h.root) ?? "") : "", original_id: "", message: h.message, type: "", props: {}, hashtags: "",
      pending_post_id: "", file_ids: [], has_reactions: false, is_pinned: false,
    };
    state.posts.set(p.id, p);
    if (h.key) keys.set(h.key, p.id);
    c.last_post_at = Math.max(c.last_post_at, t);
    c.total_msg_count += 1;
    if (!p.root_id) c.total_msg_count_root += 1;
  });
}
