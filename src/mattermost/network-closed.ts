// Leaving a channel. Direct and group channels cannot be left (server/channels/api4/channel.go removeChannelMember answers 400): the
// user closes them with a preference, as Mattermost's clients do (category `direct_channel_show`, name the other
// user's id; `group_channel_show`, name the channel id; value "false"), and a closed one is not among their rooms.
// Mattermost's web client shows a closed channel again when a post arrives in it (webapp/channels/src/actions/
// post_actions.ts -> user_actions.ts loadNewDMIfNeeded, loadNewGMIfNeeded: the preference saved "true"); the
// server itself does not, so the bridge, as the user's client, does the same.
import { isNetworkError } from "../network/errors";
import type { NetworkEvent } from "../network/realtime";
import { directPartner, guarded } from "./network-convert";
import type { MattermostClient } from "./rest";
import type { MmChannel, MmPreference } from "./types";

export const DIRECT_SHOW = "direct_channel_show";
export const GROUP_SHOW = "group_channel_show";

export type RoomsChange = Extract<NetworkEvent, { type: "rooms" }>;

/** What this client knows of the user's closed direct and group channels; one per network client. */
export class ClosedChannels {
  private readonly closed = new Set<string>();
  /** Direct channels by the other user's id, as the preference names them. */
  private readonly directs = new Map<string, string>();

  constructor(
    private readonly rest: MattermostClient,
    private readonly selfId: string,
  ) {}

  /** True when the channel is a direct or group one, which only a preference closes. */
  static closable(channel: MmChannel): boolean {
    return channel.type === "D" || channel.type === "G";
  }

  /**
   * Leaves a channel, or closes a direct or group one (closing it again saves the same preference again). A channel
   * already left is done: Mattermost answers a non-member's removal of themselves with 404
   * (server/channels/app/channel.go removeUserFromChannel asks GetChannelMember first), and a refusal (404, 403)
   * is checked against the user's channels, so one still listed is a real failure.
   */
  async leave(roomId: string): Promise<void> {
    const channel = await guarded(() => this.rest.channel(roomId)).catch(() => undefined);
    if (channel && ClosedChannels.closable(channel)) return this.close(channel);
    try {
      await guarded(() => this.rest.leaveChannel(roomId));
    } catch (err) {
      if (!isNetworkError(err, "not-found") && !isNetworkError(err, "forbidden")) throw err;
      const mine = await guarded(() => this.rest.myChannels());
      if (mine.some((c) => c.id === roomId)) throw err;
    }
  }

  private async close(channel: MmChannel): Promise<void> {
    this.learn(channel);
    await guarded(() => this.rest.savePreferences([this.preference(channel, "false")]));
    this.closed.add(channel.id);
  }

  /** The channels not closed, by the user's preferences as they stand now. */
  async open(channels: MmChannel[]): Promise<MmChannel[]> {
    const prefs = await guarded(() => this.rest.myPreferences());
    const hidden = new Set(prefs.filter((p) => p.value === "false").map((p) => `${p.category}/${p.name}`));
    const isClosed = (c: MmChannel) => hidden.has(`${c.type === "D" ? DIRECT_SHOW : GROUP_SHOW}/${c.type === "D" ? directPartner(c, this.selfId) : c.id}`);
    const open: MmChannel[] = [];
    for (const c of channels) {
      if (ClosedChannels.closable(c)) this.learn(c);
      if (ClosedChannels.closable(c) && isClosed(c)) this.closed.add(c.id);
      else {
        this.closed.delete(c.id);
        open.push(c);
      }
    }
    return open;
  }

  /** The room list's changes a preferences event makes: a channel closed is removed, shown again (or its preference deleted) added. */
  async changes(prefs: MmPreference[], deleted: boolean): Promise<RoomsChange[]> {
    const out: RoomsChange[] = [];
    for (const p of prefs) {
      if (p.user_id !== this.selfId || (p.category !== DIRECT_SHOW && p.category !== GROUP_SHOW)) continue;
      const roomId = p.category === GROUP_SHOW ? p.name : await this.directWith(p.name);
      if (!roomId) continue;
      const shown = deleted || p.value !== "false";
      if (shown) this.closed.delete(roomId);
      else this.closed.add(roomId);
      out.push({ type: "rooms", change: shown ? "added" : "removed", roomId });
    }
    return out;
  }

  /**
   * A post by someone else in a closed channel shows it again, as Mattermost's web client does; the server's
   * preferences_changed then reports it added. Resolves false when the channel was not closed.
   */
  async postArrived(channelId: string, senderId: string, channelType: string): Promise<boolean> {
    if (!this.closed.has(channelId) || senderId === this.selfId || (channelType !== "D" && channelType !== "G")) return false;
    const channel = await guarded(() => this.rest.channel(channelId));
    await guarded(() => this.rest.savePreferences([this.preference(channel, "true")]));
    this.closed.delete(channelId);
    return true;
  }

  private preference(channel: MmChannel, value: "true" | "false"): MmPreference {
    const direct = channel.type === "D";
    return { user_id: this.selfId, category: direct ? DIRECT_SHOW : GROUP_SHOW, name: (direct ? directPartner(channel, this.selfId) : channel.id) ?? "", value };
  }

  private learn(channel: MmChannel): void {
    const other = directPartner(channel, this.selfId);
    if (other) this.directs.set(other, channel.id);
  }

  /** The direct channel with a user, found among the user's channels when not seen yet. */
  private async directWith(userId: string): Promise<string | undefined> {
    if (!this.directs.has(userId)) for (const c of await guarded(() => this.rest.myChannels())) this.learn(c);
    return this.directs.get(userId);
  }
}
