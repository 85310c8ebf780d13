// Comparing what was sent with what arrived, message by message, per room and per direction. Pure, so the
// judgement the crash test relies on is itself tested (test/unit/crash-compare.test.ts).

export interface DirectionCounts {
  /** Messages sent into the bridge on one side. */
  sent: number;
  /** Sent messages present on the other side (at least once). */
  delivered: number;
  /** Sent messages absent from the other side. */
  lost: number;
  /** Extra copies: every arrival of a message beyond its first, and copies that came back to the wrong side. */
  duplicated: number;
  /** Delivered messages that arrived before a message sent earlier in the same room. */
  outOfOrder: number;
  /** Arrivals carrying this run's tag that nobody sent (should never happen). */
  unexpected: number;
  /** Human-readable notes on the first problems found, for the test output. */
  problems: string[];
}

const MAX_PROBLEMS = 20;

/**
 * `sent` and `arrived` map a room to message texts in order (oldest first). `strays` are copies found where
 * they must not be (a message echoed back to the side it came from); each counts as a duplicate.
 */
export function compareDelivery(sent: Map<string, string[]>, arrived: Map<string, string[]>, strays: string[] = []): DirectionCounts {
  const c: DirectionCounts = { sent: 0, delivered: 0, lost: 0, duplicated: 0, outOfOrder: 0, unexpected: 0, problems: [] };
  const note = (p: string) => c.problems.length < MAX_PROBLEMS && c.problems.push(p);
  const rooms = new Set([...sent.keys(), ...arrived.keys()]);
  for (const room of rooms) compareRoom(room, sent.get(room) ?? [], arrived.get(room) ?? [], c, note);
  for (const s of strays) {
    c.duplicated++;
    note(`echoed back: ${s}`);
  }
  return c;
}

function compareRoom(room: string, sent: string[], arrived: string[], c: DirectionCounts, note: (p: string) => void): void {
  const position = new Map(sent.map((text, i) => [text, i]));
  const seen = new Map<string, number>();
  let highest = -1;
  for (const text of arrived) {
    const at = position.get(text);
    if (at === undefined) {
      c.unexpected++;
      note(`${room}: unexpected ${text}`);
      continue;
    }
    const copies = (seen.get(text) ?? 0) + 1;
    seen.set(text, copies);
    if (copies > 1) {
      c.duplicated++;
      note(`${room}: duplicate ${text}`);
      continue;
    }
    if (at < highest) {
      c.outOfOrder++;
      note(`${room}: ${text} arrived after ${sent[highest]}`);
    }
    highest = Math.max(highest, at);
  }
  c.sent += sent.length;
  for (const text of sent) {
    if (seen.has(text)) c.delivered++;
    else {
      c.lost++;
      note(`${room}: lost ${text}`);
    }
  }
}

/** One line for the test output, e.g. "gitter->matrix: sent 60, delivered 60, lost 0, duplicated 0, out of order 0". */
export function formatCounts(direction: string, c: DirectionCounts): string {
  return `${direction}: sent ${c.sent}, delivered ${c.delivered}, lost ${c.lost}, duplicated ${c.duplicated}, out of order ${c.outOfOrder}, unexpected ${c.unexpected}`;
}

/** A small seeded generator (mulberry32): the same seed replays the same choices. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
