// The emulator's world: users, teams, channels, memberships, posts, reactions, files and sessions, and the
// websocket events that changes publish (the "ws" event of this emitter, picked up by the hub).
import { createHash } from "node:crypto";
import { EventEmitter } from "node:events";
import { AppError, errors } from "./errors";
import { newId } from "./ids";
import type { ChannelType, MmChannel, MmFile, MmMember, MmOAuthApp, MmPost, MmPreference, MmReaction, MmSession, MmTeam, MmUser, WsEvent } from "./types";

/** A preference's key among its user's: `category\u0000name`. */
export const preferenceKey = (p: Pick<MmPreference, "category" | "name">): string => `${p.category}\u0000${p.name}`;

export class MmState extends EventEmitter {
  users = new Map<string, MmUser>();
  teams = new Map<string, MmTeam>();
  teamMembers = new Map<string, Set<string>>();
  channels = new Map<string, MmChannel>();
  members = new Map<string, Map<string, MmMember>>();
  posts = new Map<string, MmPost>();
  reactions: MmReaction[] = [];
  files = new Map<string, MmFile>();
  sessions = new Map<string, MmSession>();
  apps = new Map<string, MmOAuthApp>();
  /** pending_post_id -> post id and when it was seen (server/channels/app/post.go deduplicateCreatePost). */
  pendingPosts = new Map<string, { postId: string; at: number }>();
  /** user id -> `category\u0000name` -> preference. */
  preferences = new Map<string, Map<string, MmPreference>>();
  publicUrl = "";
  private last = 0;

  /** Milliseconds, strictly increasing, so that posts made in the same millisecond still sort. */
  tick(): number {
    this.last = Math.max(Date.now(), this.last + 1);
    return this.last;
  }

  /** The clock's last reading, to keep across runs (times never go back after a restart). */
  get clock(): number {
    return this.last;
  }

  set clock(at: number) {
    this.last = Math.max(this.last, at);
  }

  publish(event: string, data: Record<string, unknown>, broadcast: Partial<WsEvent["broadcast"]>): void {
    const ev: WsEvent = { event, data, broadcast: { omit_users: null, user_id: "", channel_id: "", team_id: "", ...broadcast } };
    this.emit("ws", ev);
  }

  user(id: string): MmUser {
    const u = this.users.get(id);
    if (!u || u.delete_at) throw errors.notFound("app.user.missing_account.const", "user");
    return u;
  }

  userByName(name: string): MmUser | undefined {
    const n = name.toLowerCase();
    for (const u of this.users.values()) if (u.username === n) return u;
    return undefined;
  }

  channel(id: string): MmChannel {
    const c = this.channels.get(id);
    if (!c) throw errors.notFound("app.channel.get.existing.app_error", "channel");
    return c;
  }

  member(channelId: string, userId: string): MmMember | undefined {
    return this.members.get(channelId)?.get(userId);
  }

  channelMembers(channelId: string): MmMember[] {
    return [...(this.members.get(channelId)?.values() ?? [])];
  }

  channelsOf(userId: string): MmChannel[] {
    // channel_store.go GetChannels: ordered by display name.
    return [...this.channels.values()].filter((c) => this.member(c.id, userId) && !c.delete_at).sort((a, b) => (a.display_name < b.display_name ? -1 : a.display_name > b.display_name ? 1 : 0));
  }

  teamsOf(userId: string): MmTeam[] {
    return [...this.teams.values()].filter((t) => this.teamMembers.get(t.id)?.has(userId));
  }

  addUser(u: Partial<MmUser> & { username: string }): MmUser {
    const now = this.tick();
    const user: MmUser = {
      id: newId(), email: `${u.username}@example.com`, first_name: "", last_name: "", nickname: "",
      create_at: now, update_at: now, delete_at: 0, roles: "system_user", password: "", ...u,
    };
    this.users.set(user.id, user);
    return user;
  }

  addTeam(t: Partial<MmTeam> & { name: string }): MmTeam {
    const now = this.tick();
    const team: MmTeam = { id: newId(), display_name: t.name, type: "O", create_at: now, update_at: now, delete_at: 0, ...t };
    this.teams.set(team.id, team);
    this.teamMembers.set(team.id, new Set());
    return team;
  }

  addChannel(c: Partial<MmChannel> & { name: string; type: ChannelType }): MmChannel {
    const now = this.tick();
    const channel: MmChannel = {
      id: newId(), team_id: "", display_name: c.name, header: "", purpose: "", creator_id: "",
      create_at: now, update_at: now, delete_at: 0, last_post_at: now, last_root_post_at: now,
      total_msg_count: 0, total_msg_count_root: 0, ...c,
    };
    this.channels.set(channel.id, channel);
    this.members.set(channel.id, new Map());
    return channel;
  }

  /**
   * Adds a member (no-op when already one) and announces it: user_added to the channel.
   * server/channels/app/channel.go addUserToChannel / postJoinChannelMessage
   */
  addMember(channel: MmChannel, userId: string, quiet = false): MmMember {
    const existing = this.member(channel.id, userId);
    if (existing) return existing;
    const now = this.tick();
    const m: MmMember = {
      channel_id: channel.id, user_id: userId, roles: "channel_user", last_viewed_at: 0,
      msg_count: 0, msg_count_root: 0, mention_count: 0, last_update_at: now,
    };
    this.members.get(channel.id)!.set(userId, m);
    if (channel.team_id) this.teamMembers.get(channel.team_id)?.add(userId);
    if (!quiet) this.publish("user_added", { team_id: channel.team_id, user_id: userId }, { channel_id: channel.id });
    return m;
  }

  /**
   * Removes a member; the removed user hears user_removed with channel_id, the channel hears it with user_id.
   * server/channels/app/channel.go removeUserFromChannel
   */
  removeMember(channel: MmChannel, userId: string, removerId: string): void {
    if (!this.members.get(channel.id)?.delete(userId)) return;
    this.publish("user_removed", { channel_id: channel.id, remover_id: removerId }, { user_id: userId });
    this.publish("user_removed", { remover_id: removerId, user_id: userId }, { channel_id: channel.id, omit_users: { [userId]: true } });
  }

  /** The direct channel of two users, made on first use. server/public/model/channel.go GetDMNameFromIds */
  directChannel(a: string, b: string, creatorId: string): MmChannel {
    const name = [a, b].sort().join("__");
    const found = [...this.channels.values()].find((c) => c.type === "D" && c.name === name);
    if (found) return found;
    const c = this.addChannel({ name, type: "D", display_name: "", creator_id: creatorId });
    this.addMember(c, a, true);
    if (b !== a) this.addMember(c, b, true);
    return c;
  }

  /**
   * The group channel of 3 to 8 users: its name is the SHA-1 of the sorted ids, its display name the
   * sorted usernames. server/public/model/channel.go GetGroupNameFromUserIds, GetGroupDisplayNameFromUsers
   */
  groupChannel(ids: string[], creatorId: string): MmChannel {
    const unique = [...new Set(ids)].sort();
    if (unique.length < 3 || unique.length > 8) {
      throw new AppError(400, "api.channel.create_group.bad_size.app_error", "Group message channels must contain at least 3 and no more than 8 users.");
    }
    const name = createHash("sha1").update(unique.join("")).digest("hex");
    const found = [...this.channels.values()].find((c) => c.type === "G" && c.name === name);
    if (found) return found;
    const display = unique.map((id) => this.user(id).username).sort().join(", ");
    const c = this.addChannel({ name, type: "G", display_name: display, creator_id: creatorId });
    for (const id of unique) this.addMember(c, id, true);
    return c;
  }

  preferencesOf(userId: string): MmPreference[] {
    return [...(this.preferences.get(userId)?.values() ?? [])];
  }

  /**
   * Saves (or replaces) a user's preferences; the user's sockets hear sidebar_category_updated, then
   * preferences_changed with the saved list as a JSON string. server/channels/app/preference.go UpdatePreferences
   */
  savePreferences(userId: string, prefs: MmPreference[]): void {
    const mine = this.preferences.get(userId) ?? new Map<string, MmPreference>();
    this.preferences.set(userId, mine);
    for (const p of prefs) mine.set(preferenceKey(p), { ...p });
    this.publish("sidebar_category_updated", {}, { user_id: userId });
    this.publish("preferences_changed", { preferences: JSON.stringify(prefs) }, { user_id: userId });
  }

  /** As savePreferences, for deletion: preferences_deleted. server/channels/app/preference.go DeletePreferences */
  deletePreferences(userId: string, prefs: MmPreference[]): void {
    for (const p of prefs) this.preferences.get(userId)?.delete(preferenceKey(p));
    this.publish("sidebar_category_updated", {}, { user_id: userId });
    this.publish("preferences_deleted", { preferences: JSON.stringify(prefs) }, { user_id: userId });
  }

  reactionsOf(postId: string): MmReaction[] {
    return this.reactions.filter((r) => r.post_id === postId && !r.delete_at);
  }

  /** Starts a session and returns it (a login, an OAuth grant or a personal access token). */
  newSession(userId: string, kind: MmSession["kind"], ttlMs = 0, clientId?: string): MmSession {
    const s: MmSession = { token: newId(), user_id: userId, kind, expires_at: ttlMs ? Date.now() + ttlMs : 0, client_id: clientId };
    this.sessions.set(s.token, s);
    return s;
  }

  /** Ends a session: the REST API answers 401 to it and its websockets are closed. */
  revoke(token: string): boolean {
    const had = this.sessions.delete(token);
    if (had) this.emit("revoked", token);
    return had;
  }
}
