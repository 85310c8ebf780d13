// Gitter API v1 wire types, as the 2020 serializers emit them (see the API reference, section 2).
// Optional fields are the ones the server leaves out when they have no value; clients must also accept null.

export interface GitterUser {
  id: string;
  username: string;
  displayName: string;
  url: string;
  avatarUrl?: string;
  avatarUrlSmall?: string;
  avatarUrlMedium?: string;
  gv?: string;
  v?: number;
  providers?: string[];
  role?: "admin";
  online?: boolean;
  removed?: boolean;
}

export interface GitterRoom {
  id: string;
  name: string;
  topic: string;
  avatarUrl?: string;
  /** Absent for one-to-one rooms. */
  uri?: string;
  oneToOne: boolean;
  userCount: number;
  /** One-to-one rooms only: the other party. */
  user?: GitterUser;
  unreadItems: number;
  mentions: number;
  lastAccessTime?: string | null;
  favourite?: number;
  lurk: boolean;
  url: string;
  githubType: "ORG" | "REPO" | "ONETOONE" | "ORG_CHANNEL" | "REPO_CHANNEL" | "USER_CHANNEL";
  security?: "PUBLIC" | "PRIVATE" | "INHERITED";
  noindex?: boolean;
  tags?: string[];
  roomMember?: boolean;
  groupId?: string;
  public?: boolean;
  /** On single-room endpoints (get, join). */
  permissions?: { admin: boolean };
  v?: number;
}

export interface GitterMention {
  screenName: string;
  userId?: string;
  userIds?: string[];
  group?: boolean;
  announcement?: boolean;
}

export interface GitterMessage {
  id: string;
  text: string;
  html: string;
  /** Present and true for `/me` status messages. */
  status?: boolean;
  sent: string;
  editedAt?: string | null;
  parentId?: string;
  threadMessageCount?: number;
  fromUser: GitterUser;
  unread?: boolean;
  readBy?: number;
  urls?: { url: string }[];
  mentions?: GitterMention[];
  issues?: { number: string }[];
  meta?: unknown[];
  initial?: boolean;
  /** Messages posted by a bridge on behalf of someone without a Gitter account. */
  virtualUser?: { type: string; externalId: string; displayName: string; avatarUrl?: string };
  v?: number;
}

/** `GET /v1/users/:username`: a public profile; the extra fields depend on the identity provider. */
export interface GitterUserProfile {
  id: string;
  username: string;
  displayName: string;
  has_gitter_login?: boolean;
  removed?: boolean;
  gv?: string;
  gravatarImageUrl?: string;
  avatarUrl?: string;
  [field: string]: unknown;
}

/** Search endpoints wrap their results (API reference 2.4). */
export interface GitterSearchResults<T> {
  results: T[];
  hasMoreResults?: boolean;
  limit?: number;
  skip?: number;
}

/** Endpoints that act without returning an entity answer `{"success": true}`. */
export interface GitterSuccess {
  success: boolean;
}

export interface GitterUnreadItems {
  chat: string[];
  mention: string[];
}

/** Realtime envelope on Faye data channels (API reference 5.3). */
export type LiveOperation = "create" | "update" | "patch" | "remove";
export interface LiveEnvelope<T> {
  operation: LiveOperation;
  model: T;
}
