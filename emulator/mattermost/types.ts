// The emulator's world, in the server's own JSON field names so that serialising is a copy.
// mattermost/mattermost server/public/model/{user,team,channel,channel_member,post,reaction,file_info}.go

export type ChannelType = "O" | "P" | "D" | "G";

export interface MmUser {
  id: string;
  username: string;
  email: string;
  first_name: string;
  last_name: string;
  nickname: string;
  create_at: number;
  update_at: number;
  delete_at: number;
  roles: string;
  /** Not serialised: the emulator's login form checks it. */
  password: string;
}

export interface MmTeam {
  id: string;
  name: string;
  display_name: string;
  type: "O" | "I";
  create_at: number;
  update_at: number;
  delete_at: number;
}

export interface MmChannel {
  id: string;
  team_id: string;
  type: ChannelType;
  name: string;
  display_name: string;
  header: string;
  purpose: string;
  creator_id: string;
  create_at: number;
  update_at: number;
  delete_at: number;
  last_post_at: number;
  last_root_post_at: number;
  total_msg_count: number;
  total_msg_count_root: number;
}

export interface MmMember {
  channel_id: string;
  user_id: string;
  roles: string;
  last_viewed_at: number;
  msg_count: number;
  msg_count_root: number;
  mention_count: number;
  last_update_at: number;
}

export interface MmPost {
  id: string;
  create_at: number;
  update_at: number;
  edit_at: number;
  delete_at: number;
  user_id: string;
  channel_id: string;
  root_id: string;
  original_id: string;
  message: string;
  type: string;
  props: Record<string, unknown>;
  hashtags: string;
  pending_post_id: string;
  file_ids: string[];
  has_reactions: boolean;
  is_pinned: boolean;
}

/** server/public/model/preference.go Preference */
export interface MmPreference {
  user_id: string;
  category: string;
  name: string;
  value: string;
}

export interface MmReaction {
  user_id: string;
  post_id: string;
  emoji_name: string;
  channel_id: string;
  create_at: number;
  update_at: number;
  delete_at: number;
}

export interface MmFile {
  id: string;
  user_id: string;
  channel_id: string;
  post_id: string;
  name: string;
  extension: string;
  size: number;
  mime_type: string;
  create_at: number;
  update_at: number;
  delete_at: number;
  /** Not serialised. */
  data: Buffer;
}

/** A session: a login, an OAuth access token or a personal access token. */
export interface MmSession {
  token: string;
  user_id: string;
  kind: "session" | "oauth" | "pat";
  /** 0: never. */
  expires_at: number;
  /** The OAuth app that issued it. */
  client_id?: string;
}

/** A websocket event as the server sends it (server/public/model/websocket_message.go WebSocketEvent). */
export interface WsEvent {
  event: string;
  data: Record<string, unknown>;
  broadcast: { omit_users: Record<string, boolean> | null; user_id: string; channel_id: string; team_id: string };
}

/** An OAuth 2.0 app registered with the provider (server/public/model/oauth.go OAuthApp). */
export interface MmOAuthApp {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  name: string;
  /** Trusted apps skip the consent page (server/channels/web/oauth.go authorizeOAuthPage). */
  trusted: boolean;
}
