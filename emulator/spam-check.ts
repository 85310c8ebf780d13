// Gitter's spam check, as a client sees it: a young account that keeps sending the same text is "hellbanned", and
// from then on every message it sends is answered 200 as if posted, but never stored or pushed.
// zero804/gitter modules/spam-detection/lib/chat-spam-detection.js (probation, hellban) and
// modules/spam-detection/lib/duplicate-chat-detector.js with redis-lua/count-chat-for-user.lua (the counting).
import { createHash } from "node:crypto";
import { idTimestampMs } from "./ids";
import type { EmUser } from "./types";

const DAY_MS = 24 * 60 * 60 * 1000;
/** chat-spam-detection.js PROBATION_PERIOD: accounts older than this are never checked. */
export const PROBATION_MS = 14 * DAY_MS;
/** duplicate-chat-detector.js TTL: a user's counts are kept 12 hours from their first counted message. */
const COUNT_TTL_MS = 12 * 60 * 60 * 1000;

/** duplicate-chat-detector.js getWarnAndBanThresholds: how many sends of one text are still allowed. */
export function allowedRepeats(text: string): number {
  if (text.length < 10) return 100;
  if (text.length < 20) return 20;
  return 10;
}

interface Counts {
  expiresAt: number;
  byHash: Map<string, number>;
}

/** Duplicate counts per user, in memory only (Gitter kept them in its non-persistent Redis). */
export class SpamCheck {
  private readonly counts = new Map<string, Counts>();

  /**
   * True when the message must be silently dropped: the user is hellbanned already, or is within probation and
   * has now sent this same text more often than allowed (which hellbans them). Counts the send either way.
   */
  isSpam(user: EmUser, text: string, now = Date.now()): boolean {
    if (user.hellbanned) return true;
    // The account's age is read from its id, as the server does (mongoUtils.getTimestampFromObjectId).
    if (now - idTimestampMs(user.id) > PROBATION_MS) return false;
    const count = this.count(user.id, createHash("md5").update(text).digest("hex"), now);
    if (count <= allowedRepeats(text)) return false;
    user.hellbanned = true;
    return true;
  }

  private count(userId: string, hash: string, now: number): number {
    let c = this.counts.get(userId);
    // count-chat-for-user.lua: HINCRBY on the user's hash, whose expiry is set once, when it is created.
    if (!c || c.expiresAt <= now) {
      c = { expiresAt: now + COUNT_TTL_MS, byHash: new Map() };
      this.counts.set(userId, c);
    }
    const next = (c.byHash.get(hash) ?? 0) + 1;
    c.byHash.set(hash, next);
    return next;
  }
}
