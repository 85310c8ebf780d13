// Encrypts Gitter tokens at rest (AES-256-GCM) with a key kept in its own file, outside the database, so a
// leaked database dump alone reveals no token. Errors name files and fixes, never a key or a token.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { link, mkdir, open, readFile, stat, unlink } from "node:fs/promises";
import path from "node:path";

export const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = "v1";

export class TokenDecryptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TokenDecryptError";
  }
}

export class TokenCipher {
  private readonly key: Buffer;

  /** Throws unless `key` is exactly 32 bytes. */
  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) throw new Error(`Token key must be ${KEY_BYTES} bytes, got ${key.length}`);
    this.key = Buffer.from(key);
  }

  /** Returns `v1:<iv>:<tag>:<ciphertext>` (base64url parts); a fresh random IV every call. Never throws. */
  encrypt(plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv, { authTagLength: TAG_BYTES });
    const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, iv.toString("base64url"), tag.toString("base64url"), body.toString("base64url")].join(":");
  }

  /** Throws TokenDecryptError on an unknown format, a different key, or altered data. */
  decrypt(payload: string): string {
    const parts = payload.split(":");
    if (parts.length !== 4 || parts[0] !== VERSION) {
      throw new TokenDecryptError(`Stored token is not in a known format (expected ${VERSION}:<iv>:<tag>:<data>)`);
    }
    const [, ivText, tagText, bodyText] = parts as [string, string, string, string];
    const iv = Buffer.from(ivText, "base64url");
    const tag = Buffer.from(tagText, "base64url");
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
      throw new TokenDecryptError("Stored token is malformed (wrong IV or tag length)");
    }
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.key, iv, { authTagLength: TAG_BYTES });
      decipher.setAuthTag(tag);
      const body = Buffer.from(bodyText, "base64url");
      return Buffer.concat([decipher.update(body), decipher.final()]).toString("utf8");
    } catch {
      throw new TokenDecryptError(
        "Stored token could not be decrypted: the key file is not the one that encrypted it, or the data was altered",
      );
    }
  }
}

/**
 * Reads the 32-byte key at `keyPath`. When the file is missing, creates it (mode 0600, parent folder included)
 * if `create` is true, else throws: with tokens already stored, a new key would silently lose them.
 * Throws on a key of the wrong size or one that group or others may access.
 */
export async function loadOrCreateKey(keyPath: string, opts: { create: boolean }): Promise<Buffer> {
  const file = path.resolve(keyPath);
  if (!(await exists(file))) {
    if (!opts.create) {
      throw new Error(
        `Token encryption key ${file} is missing, and the database holds tokens encrypted with it. ` +
          "Restore the key file from a backup; a new key cannot read the stored tokens.",
      );
    }
    await createKeyFile(file);
  }
  return readKeyFile(file);
}

/**
 * Throws, naming the key file, when `cipher` opens none of the stored tokens: the key file was replaced by
 * another key, and starting would only end every session with a decryption error. Tokens that do open are
 * proof of the right key; a single unreadable one is that user's problem, reported when their session resumes.
 */
export function assertKeyOpens(cipher: TokenCipher, ciphertexts: string[], keyPath: string): void {
  if (ciphertexts.length === 0) return;
  const opens = ciphertexts.some((c) => {
    try {
      cipher.decrypt(c);
      return true;
    } catch {
      return false;
    }
  });
  if (!opens) {
    throw new Error(
      `Token encryption key ${path.resolve(keyPath)} does not open any of the ${ciphertexts.length} tokens stored in the ` +
        "database: it is not the key they were encrypted with. Restore the original key file from a backup.",
    );
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw err;
  }
}

async function createKeyFile(file: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  // Written aside, then linked into place: a second process starting at the same moment either sees no key or
  // a complete one, and link() refuses to replace a key that appeared meanwhile (theirs is kept).
  const temp = `${file}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  const handle = await open(temp, "wx", 0o600);
  try {
    await handle.writeFile(randomBytes(KEY_BYTES));
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  } finally {
    await unlink(temp);
  }
}

async function readKeyFile(file: string): Promise<Buffer> {
  const info = await stat(file);
  if (!info.isFile()) throw new Error(`Token encryption key ${file} is not a regular file`);
  if ((info.mode & 0o077) !== 0) {
    const mode = (info.mode & 0o777).toString(8).padStart(4, "0");
    throw new Error(
      `Token encryption key ${file} is accessible to group or others (mode ${mode}). Fix it with: chmod 600 ${file}`,
    );
  }
  const key = await readFile(file);
  if (key.length !== KEY_BYTES) {
    throw new Error(
      `Token encryption key ${file} holds ${key.length} bytes, expected exactly ${KEY_BYTES}. ` +
        "Restore the original key file; do not edit it by hand.",
    );
  }
  return key;
}
