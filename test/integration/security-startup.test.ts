// What the bridge process refuses at startup, run exactly as an operator runs it: a registration that disagrees
// with the config (exit 2, naming each problem, never a token), and a token database whose encryption key is
// missing, replaced or readable by others (exit 1, naming the key file; the stored tokens stay untouched).
// No homeserver is needed: every refusal happens before the bridge reaches the network.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import YAML from "yaml";
import { loadOrCreateKey, TokenCipher } from "../../src/store/crypto";
import { openStore } from "../../src/store/knex-store";
import { configureLogging } from "../../src/util/log";
import { freePort } from "../harness/ports";
import { startBridge, writeBridgeFiles, type BridgeFiles } from "../harness/stack";

configureLogging({ level: "error" });
const GITTER_TOKEN = "5ec2e7c0ffee5ec2e7c0ffee5ec2e7c0ffee5ec2";

/** Runs the bridge until it exits by itself; a guard kills it if it does not, so a regression cannot hang. */
async function runToExit(files: BridgeFiles): Promise<{ code: number | null; output: string }> {
  const bridge = startBridge(files);
  const exited = new Promise<number | null>((r) => bridge.proc.once("exit", (code) => r(code)));
  const guard = setTimeout(() => void bridge.kill(), 60_000);
  const code = await exited;
  clearTimeout(guard);
  return { code, output: bridge.lines.join("\n") };
}

describe("refusing to start", { timeout: 180_000 }, () => {
  let dir: string;
  let files: BridgeFiles;
  let registration: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "security-startup-"));
    // Nothing listens at the homeserver URL: a bridge that got past its checks would fail there instead.
    files = await writeBridgeFiles({
      dir,
      homeserverUrl: `http://127.0.0.1:${await freePort()}`,
      domain: "localhost",
      gitterUrl: "http://127.0.0.1:9",
      clientId: "startup-test",
      clientSecret: "startup-secret",
    });
    registration = await readFile(files.registrationPath, "utf8");
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const cases: Array<[string, (reg: Record<string, unknown>) => void, RegExp]> = [
    ["a bot name", (r) => (r.sender_localpart = "otherbot"), /sender_localpart is "otherbot" but bridge\.botLocalpart is "gitter"/],
    ["a ghost namespace", (r) => ((r.namespaces as { users: { regex: string }[] }).users[0]!.regex = "^@irc_.*:localhost$"), /no users namespace covers ghost users/],
    ["an exclusive claim", (r) => ((r.namespaces as { users: { exclusive: boolean }[] }).users[0]!.exclusive = false), /covering ghost users .* must be exclusive/],
    ["a server name", (r) => ((r.namespaces as { users: { regex: string }[] }).users[0]!.regex = "^@gitter_.*:example\\.org$"), /no users namespace covers ghost users/],
    ["the tokens", (r) => (r.hs_token = r.as_token), /as_token and hs_token must differ/],
    ["the push url", (r) => delete r.url, /url is missing/],
  ];
  for (const [what, edit, problem] of cases) {
    it(`exits 2 when the registration disagrees with the config on ${what}, naming the problem`, async () => {
      const reg = YAML.parse(registration) as Record<string, unknown>;
      const tokens = [String(reg.as_token), String(reg.hs_token)];
      edit(reg);
      await writeFile(files.registrationPath, YAML.stringify(reg), { mode: 0o600 });
      const { code, output } = await runToExit(files);
      assert.equal(code, 2, output);
      assert.match(output, /registration\.yaml does not match .*config\.yaml/);
      assert.match(output, problem);
      for (const t of tokens) assert.ok(!output.includes(t), "no token in the output");
    });
  }

  describe("the token encryption key", () => {
    const keyFile = () => path.join(dir, "data", "bridge.key");
    before(async () => {
      await writeFile(files.registrationPath, registration, { mode: 0o600 });
      // A bridge that ran before: its database holds an encrypted token, the key sits next to it.
      const store = await openStore(`sqlite:${path.join(dir, "data", "bridge.db")}`);
      const cipher = new TokenCipher(await loadOrCreateKey(keyFile(), { create: true }));
      await store.users.setLogin("@alice:localhost", { gitterUserId: "5f0000000000000000000001", gitterUsername: "alice", tokenCiphertext: cipher.encrypt(GITTER_TOKEN) });
      await store.close();
      assert.equal((await stat(keyFile())).mode & 0o777, 0o600, "the key file is created 0600");
    });

    async function storedToken(): Promise<string | null> {
      const store = await openStore(`sqlite:${path.join(dir, "data", "bridge.db")}`);
      const user = await store.users.getUser("@alice:localhost");
      await store.close();
      return user?.tokenCiphertext ?? null;
    }

    it("exits non-zero naming the key file when it is missing, and keeps the stored token", async () => {
      const before = await storedToken();
      await rename(keyFile(), `${keyFile()}.away`);
      try {
        const { code, output } = await runToExit(files);
        assert.equal(code, 1, output);
        assert.ok(output.includes(keyFile()), `names ${keyFile()}: ${output}`);
        assert.match(output, /is missing, and the database holds tokens encrypted with it/);
        await assert.rejects(stat(keyFile()), "no new key was made in its place");
        assert.equal(await storedToken(), before, "the stored token is untouched");
      } finally {
        await rename(`${keyFile()}.away`, keyFile());
      }
    });

    it("exits non-zero naming the key file when it was replaced by another key", async () => {
      const original = await readFile(keyFile());
      await writeFile(keyFile(), randomBytes(32), { mode: 0o600 });
      try {
        const { code, output } = await runToExit(files);
        assert.equal(code, 1, output);
        assert.ok(output.includes(keyFile()), output);
        assert.match(output, /does not open any of the 1 tokens stored/);
      } finally {
        await writeFile(keyFile(), original, { mode: 0o600 });
      }
    });

    it("exits non-zero when the key file is readable by others, saying how to fix it", async () => {
      await chmod(keyFile(), 0o644);
      try {
        const { code, output } = await runToExit(files);
        assert.equal(code, 1, output);
        assert.ok(output.includes(`chmod 600 ${keyFile()}`), output);
      } finally {
        await chmod(keyFile(), 0o600);
      }
    });

    it("never prints the token or the key", async () => {
      const { output } = await runToExit(files); // fails later, at the unreachable homeserver
      const key = await readFile(keyFile());
      for (const secret of [GITTER_TOKEN, key.toString("hex"), key.toString("base64"), key.toString("base64url")]) {
        assert.ok(!output.includes(secret), "no secret in the output");
      }
      assert.doesNotMatch(output, /key file/i, "the right key passes the check");
    });
  });
});
