// Gitter message ids are MongoDB ObjectIds: 24 hex digits, the first 8 the creation time in seconds. Equal
// length and time first, so plain string order is creation order and an id made from a moment works as a
// `beforeId`/`afterId` bound or a cursor (API reference, section 2).

/** The smallest ObjectId of the second containing `ms`: every message created from then on sorts after it. */
export function objectIdAt(ms: number): string {
  return Math.max(0, Math.floor(ms / 1000)).toString(16).padStart(8, "0") + "0".repeat(16);
}
