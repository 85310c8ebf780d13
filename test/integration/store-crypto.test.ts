import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { KEY_BYTES, TokenCipher, TokenDecryptError, loadOrCreateKey } from "../../src/store/crypto";

const TOKEN = "gitter-token-0123456789abcdef";

describe("TokenCipher", () => {
  const cipher = new TokenCipher(randomBytes(KEY_BYTES));

  it("round-trips a token and never contains it in the clear", () => {
    const sealed = cipher.encrypt(TOKEN);
    assert.match(sealed, /^v1:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$/);
    assert.ok(!sealed.includes(TOKEN));
    assert.equal(cipher.decrypt(sealed), TOKEN);
  });

  it("uses a fresh 12-byte IV for every encryption", () => {
    const a = cipher.encrypt(TOKEN).split(":");
    const b = cipher.encrypt(TOKEN).split(":");
    assert.equal(Buffer.from(a[1]!, "base64url").length, 12);
    assert.equal(Buffer.from(a[2]!, "base64url").length, 16);
    assert.notEqual(a[1], b[1]);
    assert.notEqual(a[3], b[3]);
  });

  it("round-trips empty and non-ASCII text", () => {
    assert.equal(cipher.decrypt(cipher.encrypt("")), "");
    assert.equal(cipher.decrypt(cipher.encrypt("jeton-é-🔑")), "jeton-é-🔑");
  });

  it("refuses to decrypt with a different key, with a clear error", () => {
    const other = new TokenCipher(randomBytes(KEY_BYTES));
    assert.throws(
      () => other.decrypt(cipher.encrypt(TOKEN)),
      (err: unknown) => err instanceof TokenDecryptError && /key file is not the one/.test(err.message),
    );
  });

  it("detects tampering with the ciphertext, the tag or the IV", () => {
    const [v, iv, tag, body] = cipher.encrypt(TOKEN).split(":") as [string, string, string, string];
    const flip = (part: string) => {
      const bytes = Buffer.from(part, "base64url");
      bytes[0] = bytes[0]! ^ 0x01;
      return bytes.toString("base64url");
    };
    for (const altered of [
      [v, iv, tag, flip(body)],
      [v, iv, flip(tag), body],
      [v, flip(iv), tag, body],
    ]) {
      assert.throws(() => cipher.decrypt(altered.join(":")), TokenDecryptError);
    }
  });

  it("rejects unknown formats and truncated tags", () => {
    assert.throws(() => cipher.decrypt(TOKEN), /not in a known format/);
    assert.throws(() => cipher.decrypt("v2:a:b:c"), /not in a known format/);
    const [v, iv, tag, body] = cipher.encrypt(TOKEN).split(":") as [string, string, string, string];
    const shortTag = Buffer.from(tag, "base64url").subarray(0, 4).toString("base64url");
    assert.throws(() => cipher.decrypt([v, iv, shortTag, body].join(":")), /malformed/);
  });

  it("refuses a key of the wrong size", () => {
    assert.throws(() => new TokenCipher(randomBytes(16)), /32 bytes/);
  });
});

describe("loadOrCreateKey", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "store-crypto-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("creates a 32-byte key with mode 0600, parent folder included, and reads the same key back", async () => {
    const file = path.join(dir, "nested", "deeper", "token.key");
    const key = await loadOrCreateKey(file, { create: true });
    assert.equal(key.length, KEY_BYTES);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.deepEqual(await readFile(file), key);
    assert.deepEqual(await loadOrCreateKey(file, { create: true }), key);
    assert.deepEqual(await loadOrCreateKey(file, { create: false }), key);
  });

  it("keeps one key when several callers create it at once", async () => {
    const file = path.join(dir, "race.key");
    const keys = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateKey(file, { create: true })));
    for (const key of keys) assert.deepEqual(key, keys[0]);
    assert.deepEqual(await readFile(file), keys[0]);
  });

  it("refuses to invent a key when creating is not allowed", async () => {
    const file = path.join(dir, "missing", "token.key");
    await assert.rejects(loadOrCreateKey(file, { create: false }), (err: Error) => {
      assert.match(err.message, /is missing/);
      assert.match(err.message, /Restore the key file/);
      assert.ok(err.message.includes(file));
      return true;
    });
    await assert.rejects(stat(file), { code: "ENOENT" });
  });

  it("refuses a key file readable by group or others, saying how to fix it", async () => {
    const file = path.join(dir, "open.key");
    await writeFile(file, randomBytes(KEY_BYTES), { mode: 0o600 });
    for (const mode of [0o644, 0o640, 0o604]) {
      await chmod(file, mode);
      await assert.rejects(loadOrCreateKey(file, { create: true }), (err: Error) => {
        assert.ok(err.message.includes(`chmod 600 ${file}`), err.message);
        return true;
      });
    }
    await chmod(file, 0o600);
    assert.equal((await loadOrCreateKey(file, { create: false })).length, KEY_BYTES);
  });

  it("refuses a key file of the wrong size and leaves it untouched", async () => {
    const file = path.join(dir, "short.key");
    const content = randomBytes(31);
    await writeFile(file, content, { mode: 0o600 });
    await assert.rejects(loadOrCreateKey(file, { create: true }), /holds 31 bytes, expected exactly 32/);
    assert.deepEqual(await readFile(file), content);
  });

  it("gives a cipher that reads tokens sealed before a restart", async () => {
    const file = path.join(dir, "restart.key");
    const sealed = new TokenCipher(await loadOrCreateKey(file, { create: true })).encrypt(TOKEN);
    const reopened = new TokenCipher(await loadOrCreateKey(file, { create: false }));
    assert.equal(reopened.decrypt(sealed), TOKEN);
  });
});
