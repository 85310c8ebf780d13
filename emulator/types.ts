// The emulator's internal records. These are not wire objects: serialize.ts turns them into what Gitter sends.

export interface EmUser {
  id: string;
  username: string;
  displayName: string;
  password: string;
  /** Background colour of the generated avatar, as #rrggbb. */
  avatarColor: string;
  /** An external avatar image; when absent the emulator serves a generated one. */
  avatarUrl?: string;
  /** Bumped when the avatar changes; part of the avatar URL, as in Gitter's `/gh/uv/<version>/<username>`. */
  avatarVersion: number;
  v: number;
  /** Caught by the spam check (spam-check.ts): every later message is answered but dropped. */
  hellbanned?: boolean;
}

export interface EmRoom {
  id: string;
  /** Absent for one-to-one rooms. */
  uri?: string;
  name: string;
  topic: string;
  oneToOne: boolean;
  security: "PUBLIC" | "PRIVATE";
  groupId?: string;
  /** The two parties of a one-to-one room. */
  pair?: [string, string];
  v: number;
}

export interface EmMention {
  screenName: string;
  userId?: string;
  userIds?: string[];
}

export interface EmMessage {
  id: string;
  roomId: string;
  fromUserId: string;
  text: string;
  html: string;
  status: boolean;
  sent: Date;
  editedAt?: Date;
  parentId?: string;
  threadMessageCount: number;
  mentions: EmMention[];
  urls: { url: string }[];
  readBy: Set<string>;
  v: number;
  deleted: boolean;
}

export interface EmOAuthApp {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  name: string;
}

export interface EmToken {
  token: string;
  userId: string;
  clientId: string;
  revoked: boolean;
}

export interface EmCode {
  code: string;
  clientId: string;
  userId: string;
  redirectUri: string;
  expiresAt: number;
}

/** Query accepted by message lists (REST and realtime snapshots); numbers already parsed. */
export interface MessageQuery {
  limit?: number;
  beforeId?: string;
  beforeInclId?: string;
  afterId?: string;
  aroundId?: string;
  skip?: number;
  includeThreads?: boolean;
}

/** A failure with the HTTP status and body text Gitter would answer with. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
