// The Mattermost REST API v4 client: the caller's teams and channels, members, users, search, joining and leaving,
// direct and group channels, read state and typing; posts, reactions and files come from ./rest-posts. Every answer
// is checked by ./validate before it is returned, so a malformed one is a MattermostBadResponseError, and errors
// follow ./errors and ./transport. mattermost/mattermost server/channels/api4/user.go, team.go, channel.go
import { MattermostPostCalls } from "./rest-posts";
import { MattermostTransport, type TransportOptions } from "./transport";
import type { MmChannel, MmChannelMember, MmPreference, MmTeam, MmUser } from "./types";
import { checkChannel, checkList, checkMember, checkOne, checkPreference, checkTeam, checkUser } from "./validate";

export type { NewPost, PostsPage, ChangedPosts } from "./rest-posts";
export type { Download, TransportOptions } from "./transport";

const seg = encodeURIComponent;
/** server/channels/web/params.go: at most 200 a page. */
const MEMBERS_PER_PAGE = 200;

export class MattermostClient extends MattermostPostCalls {
  /** One client per token; share `options.limiter` between clients of the same token. */
  constructor(options: TransportOptions) {
    super(new MattermostTransport(options));
  }

  /** GET /users/me/teams. */
  async myTeams(): Promise<MmTeam[]> {
    return (await this.get("/users/me/teams", checkList(checkTeam))) as MmTeam[];
  }

  /**
   * GET /users/me/teams/{team_id}/channels: the team's channels the caller is in AND all their direct and group
   * channels (team_id ""), so walking every team meets each DM once per team (channel_store.go GetChannels).
   */
  async myChannelsInTeam(teamId: string): Promise<MmChannel[]> {
    return (await this.get(`/users/me/teams/${seg(teamId)}/channels`, checkList(checkChannel))) as MmChannel[];
  }

  /** GET /users/me/channels: every channel of the caller across all teams, DMs and groups once each. */
  async myChannels(): Promise<MmChannel[]> {
    return (await this.get("/users/me/channels", checkList(checkChannel))) as MmChannel[];
  }

  async channel(channelId: string): Promise<MmChannel> {
    return (await this.get(`/channels/${seg(channelId)}`, checkOne(checkChannel))) as MmChannel;
  }

  /** `team/channel` (names, as in a channel link) to the channel; 404 MattermostNotFoundError when either is unknown. */
  async channelByName(teamName: string, channelName: string): Promise<MmChannel> {
    const team = (await this.get(`/teams/name/${seg(teamName)}`, checkOne(checkTeam))) as MmTeam;
    return (await this.get(`/teams/${seg(team.id)}/channels/name/${seg(channelName)}`, checkOne(checkChannel))) as MmChannel;
  }

  /** Every member of a channel, all pages. */
  async channelMembers(channelId: string): Promise<MmChannelMember[]> {
    const all: MmChannelMember[] = [];
    for (let page = 0; ; page++) {
      const path = `/channels/${seg(channelId)}/members`;
      const batch = (await this.transport.request({
        method: "GET", path, query: { page, per_page: MEMBERS_PER_PAGE }, repeatable: true, expect: checkList(checkMember),
      })) as MmChannelMember[];
      all.push(...batch);
      if (batch.length < MEMBERS_PER_PAGE) return all;
    }
  }

  async user(userId: string): Promise<MmUser> {
    return (await this.get(`/users/${seg(userId)}`, checkOne(checkUser))) as MmUser;
  }

  /** POST /users/ids: unknown ids are left out, not an error. */
  async usersByIds(ids: string[]): Promise<MmUser[]> {
    if (ids.length === 0) return [];
    return (await this.post("/users/ids", ids, checkList(checkUser))) as MmUser[];
  }

  /** POST /users/usernames: unknown names are left out, not an error. */
  async usersByUsernames(usernames: string[]): Promise<MmUser[]> {
    if (usernames.length === 0) return [];
    return (await this.post("/users/usernames", usernames, checkList(checkUser))) as MmUser[];
  }

  async userByUsername(username: string): Promise<MmUser> {
    return (await this.get(`/users/username/${seg(username)}`, checkOne(checkUser))) as MmUser;
  }

  /** POST /users/search: users whose username or names start with `term` (at most `limit`, server default 100). */
  async searchUsers(term: string, options: { teamId?: string; limit?: number } = {}): Promise<MmUser[]> {
    const body = { term, team_id: options.teamId, limit: options.limit };
    return (await this.post("/users/search", body, checkList(checkUser))) as MmUser[];
  }

  /** POST /teams/{team_id}/channels/search: the team's public channels matching `term`. */
  async searchChannels(teamId: string, term: string): Promise<MmChannel[]> {
    return (await this.post(`/teams/${seg(teamId)}/channels/search`, { term }, checkList(checkChannel))) as MmChannel[];
  }

  /** Joins a public channel of one's team (POST /channels/{id}/members with one's own id). Joining twice is harmless. */
  async joinChannel(channelId: string): Promise<void> {
    await this.post(`/channels/${seg(channelId)}/members`, { user_id: await this.myId() }, checkOne(checkMember));
  }

  /** DELETE /channels/{id}/members/{me}; town-square cannot be left (400). */
  async leaveChannel(channelId: string): Promise<void> {
    await this.transport.request({ method: "DELETE", path: `/channels/${seg(channelId)}/members/${seg(await this.myId())}`, repeatable: true });
  }

  /** POST /channels/direct: the direct channel with another user, made or found (201 either way). */
  async directChannel(otherUserId: string): Promise<MmChannel> {
    return (await this.post("/channels/direct", [await this.myId(), otherUserId], checkOne(checkChannel))) as MmChannel;
  }

  /** POST /channels/group: 3 to 8 users, the caller added when missing; made or found. */
  async groupChannel(userIds: string[]): Promise<MmChannel> {
    return (await this.post("/channels/group", userIds, checkOne(checkChannel))) as MmChannel;
  }

  /** POST /channels/members/me/view: marks the channel read (the user's sockets hear multiple_channels_viewed). */
  async viewChannel(channelId: string): Promise<void> {
    await this.transport.request({ method: "POST", path: "/channels/members/me/view", body: { channel_id: channelId }, repeatable: true });
  }

  /** POST /users/me/typing: the channel's other members hear `typing` (api4/user.go publishUserTyping). */
  async typing(channelId: string, parentId = ""): Promise<void> {
    await this.transport.request({ method: "POST", path: "/users/me/typing", body: { channel_id: channelId, parent_id: parentId }, repeatable: true });
  }

  /** GET /users/me/preferences: all of the caller's (api4/preference.go getPreferences). */
  async myPreferences(): Promise<MmPreference[]> {
    return (await this.get("/users/me/preferences", checkList(checkPreference))) as MmPreference[];
  }

  /** PUT /users/me/preferences: saves (replaces) the caller's; their sockets hear preferences_changed. */
  async savePreferences(preferences: MmPreference[]): Promise<void> {
    await this.transport.request({ method: "PUT", path: "/users/me/preferences", body: preferences, repeatable: true });
  }

  private get(path: string, expect: (v: unknown) => string | null): Promise<unknown> {
    return this.transport.request({ method: "GET", path, repeatable: true, expect });
  }

  /** For POSTs that find-or-create or only read: safe to repeat. */
  private post(path: string, body: unknown, expect: (v: unknown) => string | null): Promise<unknown> {
    return this.transport.request({ method: "POST", path, body, repeatable: true, expect });
  }
}
