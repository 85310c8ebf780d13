// The one-time code that ties a Gitter approval to the Matrix account that asked for the login link. The page the
// browser lands on after Gitter shows it; only a message from that Matrix account carrying it keeps the token.
// Eight characters from 32 that are hard to misread (no 0/O, 1/I): 40 bits, against a handful of tries.
import { createHash, randomBytes } from "node:crypto";

export const CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
export const CODE_LENGTH = 8;
/** Wrong codes allowed before the waiting login is discarded. */
export const CODE_TRIES = 5;
export const CODE_TTL_MS = 10 * 60 * 1000;

/** A fresh code, shown as `ABCD-EFGH`. */
export function newLoginCode(): string {
  const bytes = randomBytes(CODE_LENGTH);
  // 256 is a multiple of 32, so `& 31` picks every character equally often.
  const chars = [...bytes].map((b) => CODE_ALPHABET[b & 31]);
  return `${chars.slice(0, 4).join("")}-${chars.slice(4).join("")}`;
}

/** The code as typed (any case, spaces or dashes anywhere) in its canonical form, or null when it cannot be one. */
export function normaliseLoginCode(typed: string): string | null {
  const code = typed.replace(/[\s-]+/g, "").toUpperCase();
  if (code.length !== CODE_LENGTH) return null;
  return [...code].every((c) => CODE_ALPHABET.includes(c)) ? code : null;
}

/**
 * What is stored instead of the code: a hash bound to the Matrix account, so a row copied to another account
 * would not match. The code is short; the hash keeps it out of the database, not safe from a search.
 */
export function hashLoginCode(mxid: string, code: string): string {
  return createHash("sha256").update(`${mxid}\n${code.replace(/-/g, "")}`).digest("hex");
}
