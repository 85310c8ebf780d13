// The store's interfaces for bridged messages (see ./store): the links between Matrix events and network messages,
// the sends to the network not yet known to be done, and the Matrix files shared with the network's readers.
export type Direction = "gitter-to-matrix" | "matrix-to-gitter";

export interface MessageLink {
  matrixRoomId: string;
  matrixEventId: string;
  gitterRoomId: string;
  gitterMessageId: string;
  direction: Direction;
  createdAt: number;
  /** The Gitter id of the thread root, for a thread reply; absent for a top-level message. */
  gitterThreadId?: string;
}

export interface MessageStore {
  /** Records a bridged message. Recording the same pair again is a no-op. */
  recordMessage(link: MessageLink): Promise<void>;
  byGitterMessage(matrixRoomId: string, gitterMessageId: string): Promise<MessageLink | null>;
  /**
   * The link whose own event is `matrixEventId` (the event a message was posted or bridged as), or null. For what
   * the bridge itself changes with that event: an edit, a redaction, "already sent".
   */
  byMatrixEvent(matrixEventId: string): Promise<MessageLink | null>;
  /**
   * The link of the network message `matrixEventId` shows, whichever of its events it is: the linked event, one of
   * its file events (`recordFiles`) or its added text (`recordAddedText`); null when none. The link is the message's,
   * so its `matrixEventId` is the linked event, not necessarily the one asked about. For what points at a message: a
   * reaction, a reply or thread, a read receipt.
   */
  messageOfMatrixEvent(matrixEventId: string): Promise<MessageLink | null>;
  /** The newest reply (highest Gitter id) of a thread in a portal, or null when it has none bridged. */
  latestInThread(matrixRoomId: string, gitterThreadId: string): Promise<MessageLink | null>;
  /** Records the events a network message's files became, in order (again: a no-op for those recorded). */
  recordFiles(matrixRoomId: string, gitterMessageId: string, matrixEventIds: string[]): Promise<void>;
  /** The events a network message's files became, in order; empty when it had none (or none recorded). */
  filesOf(matrixRoomId: string, gitterMessageId: string): Promise<string[]>;
  /**
   * Records the text event sent for a message shown by its file alone once an edit gave it text (see
   * src/puppet/portal-edits.ts). Recording one for a message that has one already keeps the first.
   */
  recordAddedText(matrixRoomId: string, gitterMessageId: string, matrixEventId: string): Promise<void>;
  /** That text event, or null when the message has none (never had text added, or its text was emptied again). */
  addedTextOf(matrixRoomId: string, gitterMessageId: string): Promise<string | null>;
  /** Drops the record of that text event (its text was emptied and the event redacted). Harmless if absent. */
  forgetAddedText(matrixRoomId: string, gitterMessageId: string): Promise<void>;
  /** Drops the link (and file events, and added text) of a deleted message, so later echoes of the deletion find nothing to act on. */
  forgetMessage(matrixRoomId: string, gitterMessageId: string): Promise<void>;
}

/**
 * One share of a Matrix file to Gitter: the file, and the event whose content linked it. Gitter readers are served
 * the file through the bridge's public media route while at least one share of it is left.
 */
export interface SharedMedia {
  serverName: string;
  mediaId: string;
  filename: string;
  mimetype: string | null;
  matrixRoomId: string;
  /** The event whose content linked the file: a message, or an edit (`m.replace`) of one. */
  matrixEventId: string;
  /** The message that event belongs to: itself for a new message, the edited message for an edit. */
  messageEventId: string;
  /** The portal owner who shared it. */
  mxid: string;
  sharedAt: number;
}

export interface MediaStore {
  /**
   * Records a share; recording the same file from the same event again keeps the first record. A file name is cut
   * to 255 characters (without U+0000); a mimetype longer than that or holding control characters is stored as null.
   */
  recordMedia(media: SharedMedia): Promise<void>;
  /** The oldest share left of a file, or null when none is (never shared, or every share withdrawn). */
  getMedia(serverName: string, mediaId: string): Promise<SharedMedia | null>;
  /**
   * Withdraws the shares made in `matrixRoomId` by `eventId` or by any edit of the message `eventId`; returns how
   * many went. Harmless when there are none.
   */
  unshareEvent(matrixRoomId: string, eventId: string): Promise<number>;
  /** Withdraws every share `mxid` made; returns how many went. */
  unshareUser(mxid: string): Promise<number>;
}

/**
 * A Matrix message about to be posted to Gitter, written before the POST. Until it is completed (the link
 * recorded) it may or may not be on Gitter; see src/puppet/outbox.ts for how that is decided.
 */
export interface SendIntent {
  matrixEventId: string;
  /** The portal owner, whose Gitter account posts it. */
  mxid: string;
  matrixRoomId: string;
  gitterRoomId: string;
  /** Exactly the text posted (after conversion), so history can be matched against it. */
  text: string;
  status: boolean;
  parentId: string | null;
  createdAt: number;
  /** The network's ids of files uploaded for it, posted with the text; absent when it has none. */
  fileIds?: string[];
}

export interface PendingSendStore {
  /**
   * Records the intent; if one exists for the event already, the first is kept (with its earlier time). The
   * text loses any U+0000 (PostgreSQL cannot store it; dropped on every engine alike).
   */
  putIntent(intent: SendIntent): Promise<void>;
  getIntent(matrixEventId: string): Promise<SendIntent | null>;
  /** A user's open intents, oldest first (for recovery when their session starts). */
  listIntents(mxid: string): Promise<SendIntent[]>;
  /** Open intents of one portal room, oldest first. */
  listIntentsInRoom(matrixRoomId: string): Promise<SendIntent[]>;
  /**
   * Records the message link (first record wins, as in MessageStore) and removes the intent of its Matrix
   * event, atomically: a crash leaves either both as they were or both done.
   */
  completeIntent(link: MessageLink): Promise<void>;
  /** Removes an intent that will not be sent (refused by Gitter, the user told). Harmless if absent. */
  dropIntent(matrixEventId: string): Promise<void>;
}
