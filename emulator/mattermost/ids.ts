// Mattermost ids: 26 characters, a random 128-bit value in base32 with the alphabet below and no padding.
// mattermost/mattermost server/public/model/utils.go NewId, IsValidId
import { randomBytes } from "node:crypto";

const ALPHABET = "ybndrfg8ejkmcpqxot1uwisza345h769";

function base32(bytes: Buffer): string {
  let out = "";
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/** A fresh 26-character id (16 random bytes, as the server's UUID v4 before encoding). */
export function newId(): string {
  return base32(randomBytes(16));
}

/** The server accepts any 26 lower-case letters or digits as an id (model.IsValidId). */
export function isValidId(v: unknown): v is string {
  return typeof v === "string" && /^[a-z0-9]{26}$/.test(v);
}
