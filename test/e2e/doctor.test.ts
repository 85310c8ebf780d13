// `doctor` on real parts: Synapse, the Gitter emulator and the bridge as its own process. The command line run
// beside a healthy bridge, beside deliberately broken setups and beside a stopped bridge; and the admin-only bot
// command through a real control room.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { MatrixClient } from "matrix-bot-sdk";
import YAML from "yaml";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { freePort } from "../harness/ports";
import { MatrixUser } from "../harness/matrix-user";
import { startBridge, writeBridgeFiles, type BridgeFiles, type BridgeProcess } from "../harness/stack";
import { startSynapse, type SynapseHandle } from "../harness/synapse";

const ROOT = path.resolve(__dirname, "../..");
const BOT = "@gitter:localhost";
const CHECK_COUNT = 9;

interface CliRun {
  code: number | null;
  out: string;
}

function runCli(args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "src/index.ts"), ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    p.stdout.on("data", (c) => (out += c));
    p.stderr.on("data", (c) => (out += c));
    p.on("exit", (code) => resolve({ code, out }));
  });
}

/** The report's line for a check, and the fix under it (if any). */
function lineFor(out: string, name: string): { line: string; fix?: string } {
  const lines = out.split("\n");
  const i = lines.findIndex((l) => /^(OK {3}|FAIL )/.test(l) && l.slice(5).startsWith(`${name}:`));
  assert.ok(i >= 0, `no line for "${name}" in:\n${out}`);
  const fix = lines[i + 1]?.startsWith("     fix: ") ? lines[i + 1].slice(10) : undefined;
  return { line: lines[i], fix };
}

describe("doctor", { timeout: 240_000 }, () => {
  let dir: string;
  let emulator: RunningEmulator;
  let synapse: SynapseHandle;
  let files: BridgeFiles;
  let bridge: BridgeProcess;
  let secrets: string[];
  const users: MatrixUser[] = [];

  /** A copy of the config with `change` applied, beside the original (so relative paths still resolve). */
  async function brokenConfig(name: string, change: (c: Record<string, Record<string, unknown>>) => void): Promise<string> {
    const config = YAML.parse(await readFile(files.configPath, "utf8")) as Record<string, Record<string, unknown>>;
    change(config);
    const file = path.join(dir, `${name}.yaml`);
    await writeFile(file, YAML.stringify(config));
    return file;
  }

  async function controlRoomOf(localpart: string): Promise<{ user: MatrixUser; room: string }> {
    const account = await synapse.registerUser(localpart, `${localpart}-matrix-pass`);
    const user = new MatrixUser(new MatrixClient(synapse.url, account.accessToken), account.userId);
    users.push(user);
    await user.start();
    const room = await user.client.createRoom({ invite: [BOT], is_direct: true, preset: "trusted_private_chat" });
    await user.waitForMessage(room, BOT, /log in with Gitter/);
    return { user, room };
  }

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "doctor-e2e-"));
    emulator = await startEmulator({ fixture: path.resolve(__dirname, "../../fixtures/demo.yaml"), control: true });
    const hsPort = await freePort();
    files = await writeBridgeFiles({
      dir,
      homeserverUrl: `http://127.0.0.1:${hsPort}`,
      domain: "localhost",
      gitterUrl: emulator.url,
      clientId: "doctor-test",
      clientSecret: "doctor-test-secret",
      permissions: { localhost: "user", "@root:localhost": "admin" },
    });
    synapse = await startSynapse({ registrationPath: files.registrationPath, port: hsPort });
    const app = { clientId: "doctor-test", clientSecret: "doctor-test-secret", redirectUri: `http://127.0.0.1:${files.webPort}/oauth/callback`, name: "Doctor" };
    const res = await fetch(`${emulator.url}/_emulator/oauth-apps`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(app) });
    assert.ok(res.ok);
    const reg = YAML.parse(await readFile(files.registrationPath, "utf8")) as { as_token: string; hs_token: string };
    secrets = [reg.as_token, reg.hs_token, "doctor-test-secret"];
    bridge = startBridge(files);
    await bridge.waitForLine(/bridge started/);
  });

  after(async () => {
    for (const u of users) await u.stop();
    await bridge?.stop();
    await synapse?.stop();
    await emulator?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("passes every check beside a healthy bridge, and exits 0", async () => {
    const { code, out } = await runCli(["--config", files.configPath, "--doctor"]);
    assert.equal(code, 0, out);
    const checks = out.split("\n").filter((l) => /^(OK|FAIL) /.test(l));
    assert.equal(checks.length, CHECK_COUNT, out);
    for (const line of checks) assert.match(line, /^OK {3}/);
    assert.match(lineFor(out, "homeserver reaches the bridge").line, /pinged the bridge at http:\/\/127\.0\.0\.1:\d+ \(\d+ ms\)/);
    assert.match(lineFor(out, "bridge reaches the homeserver").line, /accepts the as_token for @gitter:localhost/);
    assert.match(out, /All 9 checks passed\.\n$/);
    for (const s of secrets) assert.ok(!out.includes(s), "no secret in the report");
  });

  it("fails a wrong homeserver URL with a fix, and exits 1", async () => {
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    const config = await brokenConfig("wrong-hs", (c) => (c.homeserver.url = nowhere));
    const { code, out } = await runCli(["--config", config, "--doctor"]);
    assert.equal(code, 1, out);
    const whoami = lineFor(out, "bridge reaches the homeserver");
    assert.match(whoami.line, new RegExp(`^FAIL .*no answer from ${nowhere}`));
    assert.match(whoami.fix ?? "", /Check homeserver\.url/);
    assert.match(lineFor(out, "Gitter API answers").line, /^OK/, "checks that do not depend on it still pass");
  });

  it("fails a registration the homeserver does not know, naming app_service_config_files", async () => {
    const stale = path.join(dir, "registration-new.yaml");
    const config = await brokenConfig("new-registration", (c) => (c.appservice.registration = stale));
    const generated = await runCli(["--config", config, "--generate-registration", "--url", `http://127.0.0.1:${files.asPort}`, "--output", stale]);
    assert.equal(generated.code, 0, generated.out);
    const { code, out } = await runCli(["--config", config, "--doctor"]);
    assert.equal(code, 1, out);
    assert.match(lineFor(out, "registration matches the config").line, /^OK/);
    const whoami = lineFor(out, "bridge reaches the homeserver");
    assert.match(whoami.line, /^FAIL .*M_UNKNOWN_TOKEN/);
    assert.match(whoami.fix ?? "", /app_service_config_files and restart it/);
    const fresh = YAML.parse(await readFile(stale, "utf8")) as { as_token: string; hs_token: string };
    for (const s of [fresh.as_token, fresh.hs_token]) assert.ok(!out.includes(s), "no secret in the report");
  });

  it("fails a registration that disagrees with the config", async () => {
    const config = await brokenConfig("other-bot", (c) => (c.bridge = { ...c.bridge, botLocalpart: "gitterbot" }));
    const { code, out } = await runCli(["--config", config, "--doctor"]);
    assert.equal(code, 1, out);
    const reg = lineFor(out, "registration matches the config");
    assert.match(reg.line, /^FAIL .*sender_localpart is "gitter" but bridge\.botLocalpart is "gitterbot"/);
    assert.match(reg.fix ?? "", /--generate-registration/);
  });

  it("answers an admin's doctor in the control room, and hides it from everyone else", async () => {
    const admin = await controlRoomOf("root");
    await admin.user.client.sendText(admin.room, "doctor");
    const report = await admin.user.waitForMessage(admin.room, BOT, /checks (passed|failed)/, 60_000);
    assert.match(report.body, /All 9 checks passed\./, report.body);
    assert.equal(report.body.split("\n").filter((l) => l.startsWith("OK ")).length, CHECK_COUNT);
    assert.match(report.formatted ?? "", /<li><strong>OK<\/strong> homeserver reaches the bridge/);
    for (const s of secrets) assert.ok(!report.body.includes(s) && !(report.formatted ?? "").includes(s));

    const plain = await controlRoomOf("pat");
    await plain.user.client.sendText(plain.room, "doctor");
    const refusal = await plain.user.waitForMessage(plain.room, BOT, /Unknown command/);
    assert.match(refusal.body, /^Unknown command "doctor"/);
  });

  it("says the bridge is not running when it is stopped", async () => {
    assert.equal(await bridge.stop(), 0);
    const { code, out } = await runCli(["--config", files.configPath, "--doctor"]);
    assert.equal(code, 1, out);
    const ping = lineFor(out, "homeserver reaches the bridge");
    assert.match(ping.line, /^FAIL /);
    assert.match(ping.fix ?? "", /The bridge is not running: nothing listens on 127\.0\.0\.1:\d+/);
    assert.match(lineFor(out, "login pages are reachable").fix ?? "", /The bridge is not running/);
    assert.match(lineFor(out, "bridge reaches the homeserver").line, /^OK/);
    assert.match(lineFor(out, "database migrations are current").line, /^OK/);
  });
});
