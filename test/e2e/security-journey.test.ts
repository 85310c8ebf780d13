// A full journey with the bridge at debug level, on real parts, with the security checks along the way: the token
// sealed at rest under a 0600 key file; hostile Gitter HTML arriving safe; 600 malformed appservice requests and
// odd commands while real messages flow both ways; a restart refused without its key; and at the end a search of
// everything the bridge printed for every secret it ever held.
import assert from "node:assert/strict";
import { readdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import YAML from "yaml";
import type { EmMessage } from "../../emulator/types";
import { Fuzz, fuzzSeed } from "../harness/fuzz";
import { fuzzRequest, wellFormed } from "../harness/fuzz-transactions";
import { assertMatrixSafe } from "../harness/matrix-html";
import type { MatrixUser } from "../harness/matrix-user";
import { eventually } from "../harness/stack";
import { BOT, CLIENT_SECRET, LINK, SecurityStack } from "./security-stack";

const LOBBY = "gitter-demo/lobby";
const BOB_GHOST = "@gitter_bob:localhost";

describe("security journey at debug level", { timeout: 480_000 }, () => {
  let stack: SecurityStack;
  let alice: MatrixUser;
  let control: string;
  let lobby: string;
  let token: string;
  const keyFile = () => path.join(stack.dir, "data", "bridge.key");

  before(async () => {
    stack = await SecurityStack.start();
    alice = await stack.matrixUser("alice");
  });
  after(() => stack?.stop());

  /** Every file of the database (SQLite keeps recent writes in its -wal file), as one buffer. */
  async function databaseBytes(): Promise<Buffer> {
    const dataDir = path.join(stack.dir, "data");
    const names = (await readdir(dataDir)).filter((n) => n.startsWith("bridge.db"));
    assert.ok(names.includes("bridge.db"));
    return Buffer.concat(await Promise.all(names.map((n) => readFile(path.join(dataDir, n)))));
  }

  it("logs in and keeps the Gitter token only encrypted, under a key file only its owner can read", async () => {
    const greeting = await stack.openControlRoom(alice);
    control = greeting.roomId;
    const { named, text, codeMessage } = await stack.completeLogin(await stack.newBrowserPage(), LINK.exec(greeting.body)![1]!, "alice");
    assert.equal(named, "@alice:localhost");
    assert.match(text, /@alice:localhost/);
    await alice.client.sendText(control, codeMessage!);
    await alice.waitForMessage(control, BOT, /logged in to Gitter as alice/);
    lobby = await alice.waitForInvite((i) => i.name === LOBBY);
    await alice.client.joinRoom(lobby);
    token = stack.gitterToken("alice");
    assert.equal((await stat(keyFile())).mode & 0o777, 0o600);
    const db = await databaseBytes();
    assert.ok(db.includes("v1:"), "a sealed token is stored");
    assert.ok(!db.includes(token), "the token is not in the database in the clear");
    assert.ok(!db.includes(Buffer.from(token, "hex")), "nor as raw bytes");
  });

  it("brings hostile Gitter HTML into Matrix as safe formatted_body", async () => {
    // Through Gitter's own renderer: raw HTML is escaped, but Markdown links keep any scheme.
    await stack.postAs("bob", LOBBY, "[click me](javascript:alert(document.cookie)) ![pic](javascript:alert(1)) [d](data:text/html;base64,PHNjcmlwdD4=) <script>alert(1)</script> <img src=x onerror=alert(1)> **bold one**");
    const first = await alice.waitForMessage(lobby, BOB_GHOST, /bold one/);
    assertMatrixSafe(first.formatted ?? "", "rendered by Gitter");
    assert.match(first.formatted ?? "", /click me/);
    assert.match(first.formatted ?? "", /<strong>bold one<\/strong>/);
    assert.match(first.formatted ?? "", /&lt;script&gt;/, "escaped script text stays visible as text");
    // A Gitter that sends raw hostile HTML (its renderer broken, or an attacker in the middle): stored and pushed
    // exactly as a real message, so the bridge reads it through the usual push and REST paths.
    const hostile = '<p onclick="steal()">raw <script>alert(1)</script><iframe src="https://evil.example"></iframe><img src="https://images.example/x.png" onerror="alert(1)"><a href=" JaVaScRiPt:alert(1)">js link</a> <a href="https://ok.example/" onmouseover="x()">fine link</a><style>*{display:none}</style><svg onload=alert(1)></svg><b style="color:red">kept</b></p>';
    injectRawHtml("bob", LOBBY, "raw hostile html", hostile);
    const second = await alice.waitForMessage(lobby, BOB_GHOST, /raw hostile html/);
    const html = second.formatted ?? "";
    assertMatrixSafe(html, "raw from Gitter");
    assert.match(html, /<a href="https:\/\/ok\.example\/">fine link<\/a>/);
    assert.match(html, /<b>kept<\/b>/);
    assert.match(html, /<a href="https:\/\/images\.example\/x\.png">/, "a non-mxc image is offered as a plain link");
    assert.doesNotMatch(html, /alert|steal|evil\.example|display:none/);
  });

  it("loses no real message while 600 malformed appservice requests arrive, and answers each clearly", async () => {
    const f = new Fuzz(fuzzSeed("appservice transactions"));
    const { hs_token: hsToken } = await stack.registration();
    const targets = { hsToken, owner: alice.userId, rooms: [lobby, control] };
    const aliceOnGitter = async () => (await stack.gitterLog(LOBBY)).filter((m) => m.fromUser.username === "alice");
    const before = (await aliceOnGitter()).length;
    const counts: Record<string, number> = {};
    const txns: string[] = [];
    for (let i = 0; i < 600; i++) {
      if (i % 40 === 0) {
        await alice.client.sendText(lobby, `valid ${i / 40}`);
        await stack.postAs("bob", LOBBY, `gitter ${i / 40}`);
      }
      const txn = txns.length > 0 && f.bool(0.1) ? f.pick(txns) : `fuzz-${i}-${f.oddString().slice(0, 20)}`;
      txns.push(txn);
      const req = fuzzRequest(f, targets, txn);
      const res = await fetch(`http://127.0.0.1:${stack.files.asPort}${req.path}`, { method: req.method, headers: req.headers, body: req.body });
      const text = await res.text();
      const where = `${req.kind} #${i}: ${res.status} ${text.slice(0, 200)}`;
      if (req.expect === "accepted") assert.equal(res.status, 200, where);
      else assert.ok(res.status >= 400 && res.status < 500, where);
      if (res.status !== 200) assert.match(text, /"errcode":"M_[A-Z_]+"/, `a Matrix error body: ${where}`);
      counts[`${req.kind} ${res.status}`] = (counts[`${req.kind} ${res.status}`] ?? 0) + 1;
    }
    process.stdout.write(`appservice fuzz answers: ${JSON.stringify(counts)}\n`);
    assert.equal(stack.bridge.proc.exitCode, null, "the bridge is still running");
    const sent = await eventually(async () => {
      const mine = (await aliceOnGitter()).slice(before).map((m) => m.text);
      return mine.length >= 15 && mine;
    }, "alice's 15 messages on Gitter", 60_000);
    assert.deepEqual(sent, Array.from({ length: 15 }, (_, k) => `valid ${k}`), "each once, in order, and nothing else of alice's");
    await alice.waitForMessage(lobby, BOB_GHOST, /^gitter 14$/, 60_000);
    const received = alice.messages(lobby).filter((m) => /^gitter \d+$/.test(m.body)).map((m) => m.body);
    assert.deepEqual(received, Array.from({ length: 15 }, (_, k) => `gitter ${k}`));
  });

  it("answers every odd command sent through Synapse, once, and keeps working", async () => {
    const f = new Fuzz(fuzzSeed("control-room commands"));
    const botCount = () => alice.messages(control).filter((m) => m.sender === BOT).length;
    const start = botCount();
    const lines: string[] = [];
    for (let i = 0; i < 40; i++) {
      const line = i % 10 === 9 ? "status" : oddCommand(f);
      lines.push(line);
      await alice.client.sendMessage(control, { msgtype: "m.text", body: line });
    }
    await eventually(() => botCount() >= start + lines.length, `${lines.length} answers (got ${botCount() - start})`, 60_000);
    const answers = alice.messages(control).filter((m) => m.sender === BOT).slice(start);
    assert.equal(answers.length, lines.length);
    lines.forEach((line, i) => {
      if (line === "status") assert.match(answers[i]!.body, /^Logged in to Gitter as alice/, `answer ${i}`);
      else assert.ok(answers[i]!.body.length > 0 && answers[i]!.body.length < 2000, `answer ${i} to ${JSON.stringify(line.slice(0, 80))}`);
    });
  });

  it("refuses to restart without its key, then resumes with it, losing nothing", async () => {
    assert.equal(await stack.bridge.stop(), 0);
    const db = await databaseBytes();
    assert.ok(!db.includes(token), "no token in the clear once the database is closed either");
    await stack.postAs("carol", LOBBY, "while the bridge was down");
    await rename(keyFile(), `${keyFile()}.away`);
    const keyless = stack.spawnBridge();
    const code = await new Promise<number | null>((r) => keyless.proc.once("exit", r));
    await rename(`${keyFile()}.away`, keyFile());
    assert.notEqual(code, 0);
    assert.ok(keyless.lines.some((l) => l.includes(keyFile()) && /missing/.test(l)), keyless.lines.join("\n"));
    await stack.startBridge();
    await alice.waitForMessage(lobby, "@gitter_carol:localhost", /while the bridge was down/, 60_000);
  });

  it("does not resume a user taken out of bridge.permissions, and resumes them once put back", async () => {
    const original = await readFile(stack.files.configPath, "utf8");
    const config = YAML.parse(original) as { bridge: { permissions: Record<string, string> } };
    config.bridge.permissions = { "@someone-else:localhost": "user" };
    assert.equal(await stack.bridge.stop(), 0);
    await writeFile(stack.files.configPath, YAML.stringify(config));
    await stack.startBridge();
    await eventually(() => stack.bridgeLines.some((l) => /not resuming a session/.test(l) && l.includes(alice.userId)), "the refusal to resume alice");
    await alice.client.sendText(control, "status");
    await alice.waitForMessage(control, BOT, /not open to your Matrix account/);
    await alice.client.sendText(lobby, "sent while not allowed");
    await alice.waitForMessage(lobby, BOT, /not sent to Gitter: this Gitter bridge is no longer open to your Matrix account/);
    await stack.postAs("carol", LOBBY, "said while alice was not allowed");
    assert.equal(await stack.bridge.stop(), 0);
    await writeFile(stack.files.configPath, original);
    await stack.startBridge();
    await alice.waitForMessage(lobby, "@gitter_carol:localhost", /said while alice was not allowed/, 60_000);
    assert.ok(!(await stack.gitterLog(LOBBY)).some((m) => m.text === "sent while not allowed"), "nothing crossed for her meanwhile");
  });

  it("logs out", async () => {
    await alice.client.sendText(control, "logout");
    await alice.waitForMessage(control, BOT, /You are logged out/);
  });

  it("printed no token, secret, code or key anywhere in its debug output", async () => {
    assert.ok(stack.bridgeLines.some((l) => l.includes('"level":"debug"')), "the bridge really logged at debug level");
    const reg = await stack.registration();
    const key = await readFile(keyFile());
    const secrets: Record<string, string[]> = {
      as_token: [reg.as_token],
      hs_token: [reg.hs_token],
      "Gitter token": [token],
      "OAuth client secret": [CLIENT_SECRET],
      "OAuth code": stack.oauthCodes,
      "login state": stack.loginLinks.map((l) => new URL(l).searchParams.get("state")!),
      "token key": [key.toString("hex"), key.toString("base64"), key.toString("base64url")],
    };
    assert.equal(stack.oauthCodes.length, 1);
    for (const [what, values] of Object.entries(secrets)) {
      for (const v of values) {
        const line = stack.bridgeLines.find((l) => l.includes(v));
        assert.equal(line, undefined, `${what} leaked in: ${line?.slice(0, 300)}`);
      }
    }
    process.stdout.write(`searched ${stack.bridgeLines.length} lines of bridge output for ${Object.values(secrets).flat().length} secrets\n`);
  });

  /** Stores a message whose server-rendered HTML is `html` and pushes it, as the emulator does for any post. */
  function injectRawHtml(username: string, roomUri: string, text: string, html: string): void {
    const state = stack.emulator.state;
    const room = state.rooms.findByUri(roomUri)!;
    const msg: EmMessage = {
      id: state.ids.next(),
      roomId: room.id,
      fromUserId: state.findUserByName(username)!.id,
      text,
      html,
      status: false,
      sent: new Date(),
      threadMessageCount: 0,
      mentions: [],
      urls: [],
      readBy: new Set(),
      v: 1,
      deleted: false,
    };
    state.chat.add(msg);
    state.emitLive({ kind: "chat", roomId: room.id, operation: "create", model: state.serializeMessage(msg) });
  }
});

/** A control-room line that cannot change anything: unknown words, wrong arity, odd text, long lines. */
function oddCommand(f: Fuzz): string {
  // Synapse refuses text that is not valid Unicode (lone surrogates) or holds NUL; the bridge never sees such.
  return wellFormed(rawOddCommand(f)).replace(/\u0000/g, "");
}

function rawOddCommand(f: Fuzz): string {
  switch (f.int(6)) {
    case 0:
      return `${f.pick(["?", "¿", "x"])}${f.oddString().slice(0, 500)}`;
    case 1:
      // An argument that is all whitespace would be trimmed away, and a bare `logout` is a real one: the rest of
      // the journey needs alice logged in.
      return `${f.pick(["logout", "list", "status", "help", "login"])} ${f.pick(["now", "please", "--force", f.noise(10).trim() || "x"])}`;
    case 2:
      return `${f.pick(["gjoin", "gpart", "invite"])} a b ${f.noise(8)}`;
    case 3:
      return `search ${f.oddString().slice(0, 300)}`;
    case 4:
      return `${f.pick(["frobnicate", "LOGOUTX", "!!", "gitter"])} ${"y".repeat(1001 + f.int(5000))}`;
    default:
      return f.pick(["", " ", "\n", "!", "help\u0000", "\u202elist"]);
  }
}
