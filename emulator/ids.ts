// Gitter ids are MongoDB ObjectIds: 4 bytes of creation time in seconds, then 8 bytes that keep them unique.
// Clients (and our own list queries) order messages by id, so ids made "now" must rise strictly: a process-wide
// counter sits in the last 3 bytes and never goes back, and the time part never goes back either.
import { randomBytes } from "node:crypto";

const OBJECT_ID = /^[0-9a-f]{24}$/;
const COUNTER_SPAN = 0x1000000;

export interface IdGeneratorState {
  middle: string;
  lastSeconds: number;
  counter: number;
}

export class IdGenerator {
  private middle = randomBytes(5).toString("hex");
  private lastSeconds = 0;
  private counter = 0;

  /** Where the sequence stands, so a restored emulator goes on with ids above every one it made. */
  dump(): IdGeneratorState {
    return { middle: this.middle, lastSeconds: this.lastSeconds, counter: this.counter };
  }

  load(s: IdGeneratorState): void {
    ({ middle: this.middle, lastSeconds: this.lastSeconds, counter: this.counter } = s);
  }

  /**
   * A new id for an object created at `atMs` (default: now). Ids for the present rise strictly.
   * A backdated time (fixture history) keeps its own timestamp, so such ids only order among themselves;
   * callers create backdated objects oldest first, before any present-time ones.
   */
  next(atMs: number = Date.now()): string {
    let seconds = Math.floor(atMs / 1000);
    const backdated = seconds < this.lastSeconds;
    if (!backdated) seconds = this.lastSeconds = Math.max(seconds, this.lastSeconds);
    this.counter += 1;
    if (this.counter >= COUNTER_SPAN) {
      // Out of counter space within one second: move the clock on rather than repeat or go back.
      this.counter = 0;
      if (!backdated) seconds = this.lastSeconds = this.lastSeconds + 1;
    }
    return hex(seconds, 8) + this.middle + hex(this.counter, 6);
  }
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, "0");
}

export function isObjectId(value: unknown): value is string {
  return typeof value === "string" && OBJECT_ID.test(value);
}

/** Creation time embedded in an id, in epoch milliseconds. Throws on a malformed id. */
export function idTimestampMs(id: string): number {
  if (!isObjectId(id)) throw new Error("not an ObjectId");
  return parseInt(id.slice(0, 8), 16) * 1000;
}
