// The one place that builds and parses Matrix user ids. Nothing else concatenates `@`, a prefix and a domain.
//
// Gitter usernames may hold characters a Matrix localpart may not (upper case above all: `MadLittleMods`),
// so they are escaped reversibly, following the mapping the Matrix spec suggests in its identifier
// appendix ("Mapping from other character sets"):
//   - `A`..`Z` become `_a`..`_z` (so `Alice` and `alice` stay two different ghosts), `_` becomes `__`;
//   - every other byte of the UTF-8 encoding outside `a-z 0-9 . -` becomes `=` + two lower-case hex digits.
// `=` itself is escaped (it is the escape character), and so are `/` and `+`: the spec allows `/` but
// proxies may rewrite it inside URL paths, and `+` is only allowed by newer spec versions.
// Decoding is strict: a localpart is accepted only if encoding its decoding gives it back, so every ghost
// mxid maps to exactly one username and back.
//
// A whole user id may not exceed 255 bytes (spec, "User Identifiers"; Synapse refuses longer ones at
// registration). A username whose escaped form would not fit, or that has no UTF-8 spelling (a lone
// surrogate), gets a shortened id instead: as much of its escaped form as fits, cut between characters, then
// `==` and 24 hex digits of the SHA-256 of the username. Escaping never yields `==` (an `=` is always followed
// by two hex digits), so the two forms cannot meet. The shortened id is a function of the username alone, so
// it is the same after every restart; mapping it back needs the username, which MatrixIds learns whenever it
// builds such an id and which the bridge stores (the ghost_ids table) and teaches it again on start.
import { createHash } from "node:crypto";

/** Characters a Matrix user id localpart may hold (the spec's `user_id_char`, `+` from v1.8 on). */
const LOCALPART = /^[a-z0-9._=\-/+]+$/;
/** Characters left as they are by the escaping. */
const PLAIN = /^[a-z0-9.-]$/;
const MAX_USER_ID_LENGTH = 255;
/** Separates a shortened id's readable head from its hash. */
const HASH_MARK = "==";
const HASH_DIGITS = 24;
const SHORTENED = new RegExp(`^[a-z0-9._=-]*${HASH_MARK}[0-9a-f]{${HASH_DIGITS}}$`);

export interface IdConfig {
  /** The homeserver's server name, e.g. `example.org`. */
  domain: string;
  /** Localpart of the bridge bot, e.g. `gitterbot` (the registration's `sender_localpart`). */
  botLocalpart: string;
  /** Prefix of every ghost localpart, e.g. `gitter_`. */
  ghostPrefix: string;
}

export function isValidLocalpart(localpart: string): boolean {
  return LOCALPART.test(localpart);
}

/** `@localpart:domain`. Throws on an invalid localpart: a bad id must never reach the homeserver. */
export function userId(localpart: string, domain: string): string {
  if (!isValidLocalpart(localpart)) throw new Error(`invalid Matrix localpart: ${JSON.stringify(localpart)}`);
  if (!domain || /[\s/@]/.test(domain)) throw new Error(`invalid Matrix server name: ${JSON.stringify(domain)}`);
  return `@${localpart}:${domain}`;
}

/** Splits `@localpart:domain` at the first colon (server names may hold more, e.g. a port). */
export function splitUserId(mxid: string): { localpart: string; domain: string } | null {
  if (!mxid.startsWith("@")) return null;
  const colon = mxid.indexOf(":");
  if (colon < 2 || colon === mxid.length - 1) return null;
  return { localpart: mxid.slice(1, colon), domain: mxid.slice(colon + 1) };
}

/** Escapes any string into localpart characters; never throws. The empty string stays empty. */
export function escapeLocalpart(raw: string): string {
  let out = "";
  for (const char of raw) {
    if (PLAIN.test(char)) out += char;
    else if (char >= "A" && char <= "Z") out += "_" + char.toLowerCase();
    else if (char === "_") out += "__";
    else for (const byte of Buffer.from(char, "utf8")) out += "=" + byte.toString(16).padStart(2, "0");
  }
  return out;
}

/** The inverse of `escapeLocalpart`; null when `escaped` is not exactly what it would produce. */
export function unescapeLocalpart(escaped: string): string | null {
  const bytes: number[] = [];
  for (let i = 0; i < escaped.length; i++) {
    const c = escaped[i];
    if (c === "_") {
      const next = escaped[i + 1];
      if (next === "_") bytes.push(0x5f);
      else if (next !== undefined && next >= "a" && next <= "z") bytes.push(next.toUpperCase().charCodeAt(0));
      else return null;
      i++;
    } else if (c === "=") {
      const hex = escaped.slice(i + 1, i + 3);
      if (!/^[0-9a-f]{2}$/.test(hex)) return null;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (PLAIN.test(c)) {
      bytes.push(c.charCodeAt(0));
    } else {
      return null;
    }
  }
  const decoded = Buffer.from(bytes).toString("utf8");
  // Rejects invalid UTF-8 and escapes of characters that needed none (`=61` for `a`): one spelling only.
  return escapeLocalpart(decoded) === escaped ? decoded : null;
}

/** Ids of the bridge bot and the ghosts for one homeserver. Holds only what it learnt of shortened ids. */
export class MatrixIds {
  readonly domain: string;
  readonly botMxid: string;
  private readonly prefix: string;
  /** Room left for the escaped username in a localpart, in bytes. */
  private readonly budget: number;
  /** Usernames behind shortened localparts, by the part after the prefix. */
  private readonly shortened = new Map<string, string>();

  /** Throws when the configuration cannot produce valid ids. */
  constructor(config: IdConfig) {
    if (!isValidLocalpart(config.ghostPrefix)) {
      throw new Error(`ghost prefix must be a valid localpart: ${JSON.stringify(config.ghostPrefix)}`);
    }
    this.domain = config.domain;
    this.prefix = config.ghostPrefix;
    this.botMxid = userId(config.botLocalpart, config.domain);
    this.budget = MAX_USER_ID_LENGTH - Buffer.byteLength(`@${this.prefix}:${this.domain}`);
    if (this.budget < HASH_MARK.length + HASH_DIGITS + 8) {
      throw new Error(`ghost prefix and server name leave no room for ghost ids: ${this.prefix}, ${this.domain}`);
    }
  }

  /** The ghost's localpart (for registration), always valid and short enough. Throws on an empty username. */
  ghostLocalpart(gitterUsername: string): string {
    if (!gitterUsername) throw new Error("a Gitter username cannot be empty");
    const escaped = escapeLocalpart(gitterUsername);
    if (escaped.length <= this.budget && unescapeLocalpart(escaped) === gitterUsername) return this.prefix + escaped;
    const rest = this.shorten(gitterUsername);
    this.shortened.set(rest, gitterUsername);
    return this.prefix + rest;
  }

  /** `@gitter_alice:example.org`. Throws on an empty username. */
  ghostMxid(gitterUsername: string): string {
    return userId(this.ghostLocalpart(gitterUsername), this.domain);
  }

  /** True when the username's ghost id is shortened, so it maps back only through a stored mapping. */
  isShortened(gitterUsername: string): boolean {
    return SHORTENED.test(this.ghostLocalpart(gitterUsername).slice(this.prefix.length));
  }

  /** Teaches the username behind a shortened id (from the store, on start); harmless for any other. */
  learn(gitterUsername: string): void {
    if (gitterUsername) this.ghostLocalpart(gitterUsername);
  }

  /**
   * The Gitter username behind a ghost mxid, or null for anything that is not one of our ghosts, and for a
   * shortened id whose username was never learnt.
   */
  parseGhost(mxid: string): string | null {
    const rest = this.ghostRest(mxid);
    if (rest === null) return null;
    return SHORTENED.test(rest) ? (this.shortened.get(rest) ?? null) : unescapeLocalpart(rest);
  }

  /** True for every id this bridge builds for ghosts, shortened ones whose username is unknown included. */
  isGhost(mxid: string): boolean {
    const rest = this.ghostRest(mxid);
    return rest !== null && (SHORTENED.test(rest) || unescapeLocalpart(rest) !== null);
  }

  isBot(mxid: string): boolean {
    return mxid === this.botMxid;
  }

  /** True for the ids the bridge owns: the bot and every ghost. */
  isOurs(mxid: string): boolean {
    return this.isBot(mxid) || this.isGhost(mxid);
  }

  /** What follows the prefix in one of our ghost ids, or null. */
  private ghostRest(mxid: string): string | null {
    const parts = splitUserId(mxid);
    if (!parts || parts.domain !== this.domain || mxid === this.botMxid) return null;
    if (!parts.localpart.startsWith(this.prefix)) return null;
    return parts.localpart.slice(this.prefix.length) || null;
  }

  /** The readable head that fits, cut between characters, then the hash of the whole username. */
  private shorten(gitterUsername: string): string {
    const hash = createHash("sha256").update(gitterUsername, "utf8").digest("hex").slice(0, HASH_DIGITS);
    const room = this.budget - HASH_MARK.length - HASH_DIGITS;
    let head = "";
    for (const char of gitterUsername) {
      const piece = escapeLocalpart(/\p{Cs}/u.test(char) ? "?" : char);
      if (head.length + piece.length > room) break;
      head += piece;
    }
    return head + HASH_MARK + hash;
  }
}
