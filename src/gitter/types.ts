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
  v?: number;
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
