// What Mattermost sends, as the client reads it: only the fields the bridge uses, in the server's own JSON names.
// Every value of these types has passed ./validate. mattermost/mattermost server/public/model/{user,team,channel,
// channel_member,post,post_list,reaction,file_info}.go

/** O public, P private, D direct (two users), G group (3 to 8 users). */
export type MmChannelType = "O" | "P" | "D" | "G";

export interface MmUser {
  id: string;
  username: string;
  first_name?: string;
  last_name?: string;
  nickname?: string;
  /** 0 unless the account was deactivated. */
  delete_at: number;
  is_bot?: boolean;
}

export interface MmTeam {
  id: string;
  name: string;
  display_name: string;
}

export interface MmChannel {
  id: string;
  /** Empty for direct and group channels. */
  team_id: string;
  type: MmChannelType;
  /** A direct channel is `<id1>__<id2>`; a group's is a hash of its members. */
  name: string;
  display_name: string;
  header?: string;
  purpose?: string;
  delete_at: number;
  last_post_at?: number;
}

export interface MmChannelMember {
  channel_id: string;
  user_id: string;
  last_viewed_at?: number;
  msg_count?: number;
}

export interface MmReaction {
  user_id: string;
  post_id: string;
  /** A name such as `thumbsup`, never a Unicode character. */
  emoji_name: string;
  create_at: number;
}

export interface MmFileInfo {
  id: string;
  name: string;
  size: number;
  mime_type: string;
  post_id?: string;
  channel_id?: string;
}

export interface MmPost {
  id: string;
  channel_id: string;
  user_id: string;
  /** The thread's root; empty for a root. */
  root_id: string;
  message: string;
  /** A system message has a type (`system_join_channel`...); a user's post has "". */
  type: string;
  create_at: number;
  update_at: number;
  /** 0 unless edited. */
  edit_at: number;
  /** 0 unless deleted (a `since` listing returns deleted posts too). */
  delete_at: number;
  pending_post_id?: string;
  file_ids?: string[];
  props?: Record<string, unknown>;
  metadata?: { reactions?: MmReaction[]; files?: MmFileInfo[] };
}

/** GET /channels/{id}/posts: `order` lists the page, newest first; `posts` may hold more (threads of replies). */
export interface MmPostList {
  order: string[];
  posts: Record<string, MmPost>;
  next_post_id?: string;
  prev_post_id?: string;
}

/** A user's preference (server/public/model/preference.go); direct and group channels are closed with one. */
export interface MmPreference {
  user_id: string;
  category: string;
  name: string;
  value: string;
}
