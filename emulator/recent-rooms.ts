// Per (user, room) last access times, as Gitter's recent-room-core keeps them (UserTroupeLastAccess). A room in
// a user's list without one is hidden: Gitter's clients leave it out of the menu until it has unread items.
// zero804/gitter modules/rooms/lib/recent-room-core.js, recent-room-service.js

/** One user's times as a snapshot keeps them (epoch ms). */
export interface RecentDump {
  userId: string;
  times: [string, number][];
}

export class RecentRooms {
  private readonly times = new Map<string, Map<string, number>>();

  dump(): RecentDump[] {
    return [...this.times].map(([userId, m]) => ({ userId, times: [...m] }));
  }

  load(entries: readonly RecentDump[]): void {
    for (const e of entries) this.times.set(e.userId, new Map(e.times));
  }

  /** Records a visit; returns the time as Gitter pushes it (ISO). */
  touch(userId: string, roomId: string, at: number = Date.now()): string {
    const mine = this.times.get(userId) ?? new Map<string, number>();
    this.times.set(userId, mine.set(roomId, at));
    return new Date(at).toISOString();
  }

  clear(userId: string, roomId: string): void {
    this.times.get(userId)?.delete(roomId);
  }

  /** The last access time as the room serializer shows it, or undefined (hidden). */
  get(userId: string, roomId: string): string | undefined {
    const t = this.times.get(userId)?.get(roomId);
    return t === undefined ? undefined : new Date(t).toISOString();
  }
}
