// Opening and closing one room's portal take turns, in the order they were asked for. Pushes, commands and the
// session's start all open and close portals, and their requests cross: gpart of a room whose portal the start is
// still making, Gitter's unread push reopening a one-to-one while its close is kicking the user out, the hidden
// patch and gpart closing the same room. Each request runs after the one before it for that room, and a request
// that would only repeat the one in progress (an open while an open runs, a close while a close runs) shares it.

interface Turn {
  kind: "open" | "close";
  done: Promise<unknown>;
}

export class RoomTurns<T> {
  /** The last request of each room, while it runs or waits. */
  private readonly last = new Map<string, Turn>();

  /** True while an opening of the room runs or waits, and no close was asked for after it. */
  isOpening(roomId: string): boolean {
    return this.last.get(roomId)?.kind === "open";
  }

  /** Runs `fn` after the room's request in progress; an opening in progress is shared instead. */
  open(roomId: string, fn: () => Promise<T>): Promise<T> {
    const last = this.last.get(roomId);
    if (last?.kind === "open") return last.done as Promise<T>;
    return this.take(roomId, "open", last, fn);
  }

  /** Runs `fn` after the room's request in progress; a close in progress is shared instead. */
  close(roomId: string, fn: () => Promise<void>): Promise<void> {
    const last = this.last.get(roomId);
    if (last?.kind === "close") return last.done as Promise<void>;
    return this.take(roomId, "close", last, fn);
  }

  private take<R>(roomId: string, kind: Turn["kind"], before: Turn | undefined, fn: () => Promise<R>): Promise<R> {
    const done = (before?.done.catch(() => undefined) ?? Promise.resolve()).then(fn);
    const turn: Turn = { kind, done };
    this.last.set(roomId, turn);
    const forget = () => {
      if (this.last.get(roomId) === turn) this.last.delete(roomId);
    };
    done.then(forget, forget);
    return done;
  }
}
