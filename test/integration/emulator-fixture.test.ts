// Fixture loading and validation, the shipped fixtures, and the CLI's flag errors and clean shutdown.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { FixtureError, loadFixture, validateFixture } from "../../emulator/fixture";
import { startEmulator } from "../../emulator/server";
import { DEMO_FIXTURE, TEST_FIXTURE } from "./emulator-helpers";

const base = { users: [{ username: "alice" }, { username: "bob" }], rooms: [{ uri: "org/room", members: ["alice"] }] };

function errorKey(raw: unknown): string {
  try {
    validateFixture(raw);
  } catch (err) {
    assert.ok(err instanceof FixtureError, String(err));
    return err.key;
  }
  assert.fail("expected a FixtureError");
}

describe("emulator fixtures", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "emu-fixture-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("names the bad key in validation errors", () => {
    assert.equal(errorKey({ ...base, colour: 1 }), "(top).colour");
    assert.equal(errorKey({ users: [] }), "users");
    assert.equal(errorKey({ users: [{ username: "a b" }] }), "users[0].username");
    assert.equal(errorKey({ users: [{ username: "alice", avatar: "red" }] }), "users[0].avatar");
    assert.equal(errorKey({ users: [{ username: "alice", nick: "x" }] }), "users[0].nick");
    assert.equal(errorKey({ users: [{ username: "alice" }, { username: "ALICE" }] }), "users[1].username");
    assert.equal(errorKey({ ...base, rooms: [{ uri: "org/room", members: ["carol"] }] }), "rooms[0].members[0]");
    assert.equal(errorKey({ ...base, rooms: [{ uri: "bad uri" }] }), "rooms[0].uri");
    assert.equal(errorKey({ ...base, oneToOne: [["alice", "alice"]] }), "oneToOne[0]");
    assert.equal(errorKey({ ...base, history: [{ room: "org/none", author: "alice", text: "x" }] }), "history[0].room");
    assert.equal(errorKey({ ...base, history: [{ room: "org/room", author: "alice", text: "x", parent: "k" }] }), "history[0].parent");
    assert.equal(errorKey({ ...base, history: [{ room: "org/room", author: "alice", text: "x", ageSeconds: -1 }] }), "history[0].ageSeconds");
    assert.equal(errorKey({ ...base, oauthApps: [{ clientId: "c", clientSecret: "s", redirectUri: "nope" }] }), "oauthApps[0].redirectUri");
    assert.equal(errorKey({ ...base, tokens: [{ user: "alice", clientId: "c", token: "short" }] }), "tokens[0].token");
  });

  it("reports fixtures that do not fit together when starting", async () => {
    const history = [{ room: "org/room", author: "bob", text: "not a member" }];
    await assert.rejects(startEmulator({ fixture: { ...base, history } }), (err: unknown) => err instanceof FixtureError && err.key === "history[0].author");
  });

  it("reports YAML syntax errors and unknown keys from files", () => {
    const bad = path.join(dir, "bad.yaml");
    writeFileSync(bad, "users: [\n");
    assert.throws(() => loadFixture(bad), (err: unknown) => err instanceof FixtureError && err.key === "(yaml)");
    writeFileSync(bad, "users:\n  - username: alice\n    pasword: x\n");
    assert.throws(() => loadFixture(bad), /users\[0\]\.pasword: unknown key/);
  });

  it("ships a demo fixture with enough people, rooms, history and the bridge's OAuth app", async () => {
    const demo = loadFixture(DEMO_FIXTURE);
    assert.ok(demo.users.length >= 5);
    assert.ok((demo.rooms ?? []).length >= 4);
    assert.ok((demo.oneToOne ?? []).length >= 1);
    assert.ok((demo.history ?? []).length >= 3);
    assert.equal(demo.oauthApps?.[0].redirectUri, "http://127.0.0.1:9899/oauth/callback");
    const emu = await startEmulator({ fixture: DEMO_FIXTURE });
    try {
      const lobby = emu.state.rooms.findByUri("gitter-demo/lobby")!;
      const msgs = emu.state.listMessages(lobby.id, { includeThreads: true });
      assert.deepEqual(msgs.map((m) => m.id), msgs.map((m) => m.id).sort(), "history ids rise with time");
      assert.ok(msgs.some((m) => m.parentId));
      assert.ok(Date.parse(String(msgs[0].sent)) < Date.now() - 7000_000);
    } finally {
      await emu.stop();
    }
    assert.ok(loadFixture(TEST_FIXTURE).tokens?.length);
  });
});

interface Cli {
  done: Promise<{ code: number | null; out: string; err: string }>;
  /** Resolves with the first match of `re` on stdout; rejects if the process ends first. */
  waitFor(re: RegExp): Promise<RegExpMatchArray>;
  kill(): void;
}

function runCli(args: string[]): Cli {
  const child = spawn(process.execPath, ["--import", "tsx", "emulator/main.ts", ...args], { cwd: path.join(__dirname, "..", "..") });
  let out = "";
  let err = "";
  const waiters: { re: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
    for (const w of [...waiters]) {
      const m = out.match(w.re);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const done = new Promise<{ code: number | null; out: string; err: string }>((resolve) => child.on("close", (code) => resolve({ code, out, err })));
  return {
    done,
    waitFor: (re) =>
      new Promise((resolve, reject) => {
        waiters.push({ re, resolve });
        void done.then((r) => reject(new Error(`exited (${r.code}) before printing ${re}: ${r.err}`)));
      }),
    kill: () => child.kill("SIGTERM"),
  };
}

describe("emulator CLI", () => {
  it("names an unknown or bad flag and exits 2", async () => {
    const unknown = await runCli(["--prot", "5"]).done;
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /unknown flag --prot/);
    const bad = await runCli(["--rate-limit", "many"]).done;
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--rate-limit needs a whole number/);
    const missing = await runCli(["--fixture", path.join(__dirname, "no-such.yaml")]).done;
    assert.equal(missing.code, 2);
    assert.match(missing.err, /no-such\.yaml/);
  });

  it("prints its URLs, serves, and stops cleanly on SIGTERM", async () => {
    const cli = runCli(["--port", "0", "--fixture", TEST_FIXTURE, "--control", "--rate-limit", "7"]);
    try {
      const [, url] = await cli.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)\n[\s\S]*Control: +http/);
      const res = await fetch(`${url}/v1/user`, { headers: { authorization: `Bearer ${"a".repeat(40)}` } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("x-ratelimit-limit"), "7");
    } finally {
      cli.kill();
    }
    const result = await cli.done;
    assert.equal(result.code, 0);
    assert.doesNotMatch(result.out + result.err, /a{40}/, "no token is printed");
  });
});
