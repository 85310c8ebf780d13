// The command line as an operator uses it: a real child process in a scratch folder, checked by exit code,
// output and the files it leaves.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";
import { loadConfig } from "../../src/config/load";
import { checkRegistration, loadRegistration } from "../../src/config/registration";

const ROOT = path.join(__dirname, "..", "..");
const ENTRY = path.join(ROOT, "src", "index.ts");
const TSX = pathToFileURL(require.resolve("tsx")).href;
const KILL_AFTER_MS = 60_000;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(cwd: string, ...args: string[]): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", TSX, ENTRY, ...args], { cwd, env: { ...process.env, LOG_LEVEL: "info" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    // Only a guard so a broken CLI cannot hang the run; the tests judge exit codes and output, not time.
    const guard = setTimeout(() => child.kill("SIGKILL"), KILL_AFTER_MS);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    });
  });
}

describe("gitter-bridge command line", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "gitter-bridge-cli-"));
    copyFileSync(path.join(ROOT, "config.example.yaml"), path.join(dir, "config.yaml"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Writes config.yaml with some lines changed; fails if a line to change is not there. */
  function variant(name: string, ...edits: [RegExp, string][]): string {
    let text = readFileSync(path.join(dir, "config.yaml"), "utf8");
    for (const [from, to] of edits) {
      assert.match(text, from, `config.example.yaml has no line matching ${from}`);
      text = text.replace(from, to);
    }
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
  }

  it("--generate-registration writes a private file next to the config and prints the next steps, not the tokens", async () => {
    const result = await cli(dir, "--generate-registration", "--url", "http://127.0.0.1:9898/");
    assert.equal(result.code, 0, result.stderr);
    const file = path.join(dir, "registration.yaml");
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const reg = loadRegistration(file);
    assert.equal(reg.url, "http://127.0.0.1:9898");
    assert.deepEqual(checkRegistration(loadConfig(path.join(dir, "config.yaml")), reg), []);
    assert.ok(result.stdout.includes(file), result.stdout);
    assert.match(result.stdout, /app_service_config_files/);
    for (const token of [reg.as_token, reg.hs_token]) {
      assert.ok(!result.stdout.includes(token) && !result.stderr.includes(token), "a token was printed");
    }
  });

  it("writes to --output and says when the config reads the registration elsewhere", async () => {
    const output = path.join(dir, "elsewhere", "reg.yaml");
    const result = await cli(dir, "--generate-registration", "--url", "http://127.0.0.1:9898", "--config", "config.yaml", "--output", output);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(statSync(output).mode & 0o777, 0o600);
    assert.match(result.stdout, /Set appservice\.registration to .*elsewhere\/reg\.yaml/);
    const reg = loadRegistration(output);
    assert.ok(!result.stdout.includes(reg.as_token) && !result.stdout.includes(reg.hs_token));
  });

  it("exits 2 naming every bad key, without a stack trace", async () => {
    const bad = variant("bad.yaml", [/^ {2}port: 9898$/m, '  port: "abc"'], [/^ *clientSecret: .*$/m, ""]);
    const result = await cli(dir, "--config", bad, "--generate-registration", "--url", "http://127.0.0.1:9898");
    assert.equal(result.code, 2);
    assert.match(result.stderr, /appservice\.port: must be an integer 1-65535, got "abc"/);
    assert.match(result.stderr, /gitter\.oauth\.clientSecret: required/);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });

  it("takes the short flags of matrix-appservice-bridge bridges: -r -u -f -c", async () => {
    const file = path.join(dir, "short", "reg.yaml");
    const result = await cli(dir, "-r", "-u", "http://127.0.0.1:9898", "-c", "config.yaml", "-f", file);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(loadRegistration(file).url, "http://127.0.0.1:9898");
    assert.match(result.stdout, /start it with -f .*short\/reg\.yaml/);
  });

  it("-f names the registration the bridge reads, in place of appservice.registration", async () => {
    // The config's registration is missing; the one given with -f is fine, so the bridge gets past the
    // registration check and fails only at the database it cannot create (exit 1, not 2).
    const config = variant("f-reg.yaml", [/^ {2}registration: .*$/m, "  registration: ./missing.yaml"], [/^database: .*$/m, "database: sqlite:/dev/null/state.db"]);
    const missing = await cli(dir, "-c", config);
    assert.equal(missing.code, 2);
    const result = await cli(dir, "-c", config, "-f", path.join(dir, "registration.yaml"));
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /\/dev\/null/);
  });

  it("-v and --version print the version from package.json, without reading a config", async () => {
    const { version } = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string };
    for (const flag of ["-v", "--version"]) {
      const result = await cli(dir, flag, "--config", "nope.yaml");
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, `gitter-bridge ${version}\n`);
    }
  });

  it("-h shows the usage with every conventional flag", async () => {
    const help = await cli(dir, "-h");
    assert.equal(help.code, 0);
    for (const flag of ["-c, --config", "-f, --file", "-r, --generate-registration", "-u, --url", "-v, --version", "-h, --help"]) {
      assert.ok(help.stdout.includes(flag), flag);
    }
  });

  it("exits 2 when the config file is missing", async () => {
    const result = await cli(dir, "--config", "nope.yaml");
    assert.equal(result.code, 2);
    assert.match(result.stderr, /nope\.yaml is not valid:\n {2}- cannot read the file: ENOENT/);
  });

  it("exits 2 on a bad command line, showing the usage", async () => {
    for (const args of [["--generate-registration"], ["--generate-registration", "--url", "127.0.0.1:9898"], ["--url", "http://x"], ["--frobnicate"]]) {
      const result = await cli(dir, ...args);
      assert.equal(result.code, 2, args.join(" "));
      assert.match(result.stderr, /Usage:/);
    }
    const help = await cli(dir, "--help");
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--generate-registration --url <url>/);
  });

  it("refuses to start with a registration that does not match the config, listing each problem", async () => {
    const config = variant("renamed-bot.yaml", [/^ {2}botLocalpart: gitter$/m, "  botLocalpart: gitterbot"]);
    const result = await cli(dir, "--config", config);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /does not match .*renamed-bot\.yaml/);
    assert.match(result.stderr, /sender_localpart is "gitter" but bridge\.botLocalpart is "gitterbot"/);
    assert.match(result.stderr, /no users namespace covers the bridge bot, e\.g\. @gitterbot:localhost/);
    const reg = loadRegistration(path.join(dir, "registration.yaml"));
    assert.ok(!result.stderr.includes(reg.as_token) && !result.stderr.includes(reg.hs_token));
  });

  it("exits 2 pointing at --generate-registration when the registration file is missing", async () => {
    const config = variant("no-reg.yaml", [/^ {2}registration: .*$/m, "  registration: ./missing.yaml"]);
    const result = await cli(dir, "--config", config);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /missing\.yaml is not valid:\n {2}- cannot read the registration file: ENOENT \(create it with --generate-registration\)/);
  });

  it("exits 1 with a one-line reason when the bridge cannot start", async () => {
    // A database under /dev/null cannot be created, so start() fails before it reaches any network.
    const config = variant("no-db.yaml", [/^database: .*$/m, "database: sqlite:/dev/null/state.db"]);
    const result = await cli(dir, "--config", config);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /gitter-bridge failed/);
    assert.match(result.stderr, /\/dev\/null/);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
    assert.ok(!existsSync("/dev/null/state.db"));
  });
});
