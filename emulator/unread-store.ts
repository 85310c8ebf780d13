// Per (user, room) unread chat ids and mention ids, as Gitter's unread-items service keeps them.
export interface UnreadItems {
  chat: string[];
  mention: string[];
}

interface Entry {
  chat: Set<string>;
  mention: Set<string>;
}

/** One (user, room) entry as a snapshot keeps it. */
export interface UnreadDump {
  key: string;
  chat: string[];
  mention: string[];
}

export class UnreadStore {
  private readonly entries = new Map<string, Entry>();
  /** userId -> rooms where a mention was added (some may be read since): the room list reads it per user. */
  private readonly mentioned = new Map<string, Set<string>>();

  dump(): UnreadDump[] {
    return [...this.entries].filter(([, e]) => e.chat.size + e.mention.size > 0).map(([key, e]) => ({ key, chat: [...e.chat], mention: [...e.mention] }));
  }

  load(entries: readonly UnreadDump[]): void {
    for (const e of entries) {
      this.entries.set(e.key, { chat: new Set(e.chat), mention: new Set(e.mention) });
      const [userId, roomId] = e.key.split(":");
      if (e.mention.length) this.noteMention(userId, roomId);
    }
  }

  private noteMention(userId: string, roomId: string): void {
    this.mentioned.set(userId, (this.mentioned.get(userId) ?? new Set<string>()).add(roomId));
  }

  /** Rooms where the user has unread mentions. */
  mentionedRooms(userId: string): string[] {
    return [...(this.mentioned.get(userId) ?? [])].filter((roomId) => this.counts(userId, roomId).mentions > 0);
  }

  private entry(userId: string, roomId: string): Entry {
    const key = `${userId}:${roomId}`;
    let e = this.entries.get(key);
    if (!e) {
      e = { chat: new Set(), mention: new Set() };
      this.entries.set(key, e);
    }
    return e;
  }

  add(userId: string, roomId: string, messageId: string, mention: boolean): void {
    const e = this.entry(userId, roomId);
    e.chat.add(messageId);
    if (!mention) return;
    e.mention.add(messageId);
    this.noteMention(userId, roomId);
  }

  /** Removes the given ids; returns the ones that were unread. */
  remove(userId: string, roomId: string, ids: Iterable<string>): string[] {
    const e = this.entry(userId, roomId);
    const removed: string[] = [];
    for (const id of ids) {
      const had = e.chat.delete(id);
      if (e.mention.delete(id) || had) removed.push(id);
    }
    return removed;
  }

  /** Removes everything unread for the user in the room; returns the ids that were unread. */
  clear(userId: string, roomId: string): string[] {
    const e = this.entry(userId, roomId);
    const ids = [...new Set([...e.chat, ...e.mention])];
    e.chat.clear();
    e.mention.clear();
    return ids;
  }

  get(userId: string, roomId: string): UnreadItems {
    const e = this.entry(userId, roomId);
    return { chat: [...e.chat].sort(), mention: [...e.mention].sort() };
  }

  has(userId: string, roomId: string, messageId: string): boolean {
    return this.entries.get(`${userId}:${roomId}`)?.chat.has(messageId) ?? false;
  }

  counts(userId: string, roomId: string): { unreadItems: number; mentions: number } {
    const e = this.entries.get(`${userId}:${roomId}`);
    return { unreadItems: e?.chat.size ?? 0, mentions: e?.mention.size ?? 0 };
  }
}
