// What the bot says on a bridge serving Mattermost, started as an operator starts it, against the Mattermost
// emulator and the homeserver stub: help, status, list, the greeting and the notices name Mattermost and its
// channels, never Gitter; `join`/`part` take Mattermost's team/channel, its channel links and usernames; and the
// way to log in is the one the server offers: a personal access token only, or with the bridge's OAuth app, the
// link as well.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import YAML from "yaml";
import { startMattermostEmulator, type RunningMmEmulator } from "../../emulator/mattermost/server";
import { configureLogging } from "../../src/util/log";
import { startHomeserverStub, type HomeserverStub } from "../harness/hs-stub";
import { openSeeder, seedLogins } from "../harness/seed";
import { eventually, startBridge, writeBridgeFiles, type BridgeFiles, type BridgeProcess, type NetworkInput } from "../harness/stack";
import { ALICE, MM_FIXTURE } from "./mm-emulator-helpers";

configureLogging({ level: "warn" });

const BOT = "@mattermost:localhost";
const USER = "@alice:localhost";
const NEWCOMER = "@nina:localhost";
const CONTROL = "!alice-control:localhost";
const TOKEN_HOW_TO = "make a personal access token in Mattermost (Profile > Security > Personal Access Tokens) and send it here as `login token <token>`";

/** A Mattermost bridge with Alice logged in (her fixture token), its bot answering in her control room. */
class Running {
  private seq = 0;
  private constructor(
    readonly mm: RunningMmEmulator,
    readonly hs: HomeserverStub,
    private readonly files: BridgeFiles,
    private readonly bridge: BridgeProcess,
    private readonly dir: string,
  ) {}

  static async start(oauth: boolean): Promise<Running> {
    const dir = await mkdtemp(path.join(os.tmpdir(), "bridge-mattermost-texts-"));
    const mm = await startMattermostEmulator({ fixture: MM_FIXTURE, control: true, rateLimit: false });
    const hs = await startHomeserverStub();
    const app = oauth ? { mattermostOAuth: { clientId: "bridgeappbridgeappbridgeap", clientSecret: "bridge-secret" } } : {};
    const network: NetworkInput = { mattermostUrl: mm.url, ...app };
    const files = await writeBridgeFiles({ dir, homeserverUrl: hs.url, domain: "localhost", ...network });
    const seeder = await openSeeder(dir);
    await seedLogins(seeder, [{ mxid: USER, gitterUserId: mm.state.userByName("alice")!.id, gitterUsername: "alice", token: ALICE }]);
    await seeder.store.users.setControlRoom(USER, CONTROL);
    await seeder.store.close();
    const bridge = startBridge(files);
    await bridge.waitForLine(/bridge started/);
    return new Running(mm, hs, files, bridge, dir);
  }

  async stop(): Promise<void> {
    await this.bridge.stop();
    await this.hs.stop();
    await this.mm.stop();
    await rm(this.dir, { recursive: true, force: true });
  }

  /** Events pushed to the bridge as the homeserver would. */
  async push(event: Record<string, unknown>): Promise<void> {
    const hsToken = (YAML.parse(readFileSync(this.files.registrationPath, "utf8")) as { hs_token: string }).hs_token;
    await this.hs.pushTransaction(`http://127.0.0.1:${this.files.asPort}`, hsToken, [{ event_id: `$texts-${++this.seq}`, ...event }]);
  }

  /** The bot's next notice in `room` after `before` sends, as text and HTML. */
  async botSays(room: string, before: number, what: string): Promise<{ body: string; html: string }> {
    const sent = await eventually(() => this.hs.sends.slice(before).find((s) => s.roomId === room && s.userId === BOT), what);
    return { body: String(sent.content.body), html: String(sent.content.formatted_body ?? "") };
  }

  /** Sends `line` to the bot as Alice and resolves with its answer. */
  async command(line: string): Promise<string> {
    const before = this.hs.sends.length;
    await this.push({ type: "m.room.message", room_id: CONTROL, sender: USER, content: { msgtype: "m.text", body: line } });
    return (await this.botSays(CONTROL, before, `the answer to ${line}`)).body;
  }

  /** Someone new invites the bot to a direct chat: the greeting it sends there. */
  async greeting(mxid: string): Promise<{ body: string; html: string }> {
    const room = `!greeting-${++this.seq}:localhost`;
    const before = this.hs.sends.length;
    await this.push({ type: "m.room.member", state_key: BOT, sender: mxid, room_id: room, content: { membership: "invite", is_direct: true } });
    return this.botSays(room, before, "the greeting");
  }

  /** Alice's session is connected (her rooms read, her websocket open). */
  async connected(): Promise<void> {
    await eventually(async () => /Connection: connected\b/.test(await this.command("status")), "alice connected");
  }

  isMember(channel: string, username: string): boolean {
    const [teamName, name] = channel.split("/");
    const team = [...this.mm.state.teams.values()].find((t) => t.name === teamName)!;
    const c = [...this.mm.state.channels.values()].find((ch) => ch.team_id === team.id && ch.name === name)!;
    return this.mm.state.member(c.id, this.mm.state.userByName(username)!.id) !== undefined;
  }
}

describe("a Mattermost bridge's texts, with personal tokens only", { timeout: 120_000 }, () => {
  let b: Running;

  before(async () => {
    b = await Running.start(false);
    await b.connected();
  });

  after(async () => {
    await b?.stop();
  });

  it("lists the commands in Mattermost's words: join and part for channels, and the token login", async () => {
    const help = await b.command("help");
    assert.match(help, /^join <channel\|username> — Join a Mattermost channel \(team\/channel or a channel link\), or start a direct message with a username\.$/m);
    assert.match(help, /^part <channel> — Leave a Mattermost channel \(and its Matrix room\)\.$/m);
    assert.match(help, /^login \[code\] — Say how to log in with your Mattermost account\.$/m);
    assert.match(help, /^login token <token> — /m);
    assert.match(help, /^list — List your Mattermost channels/m);
    assert.doesNotMatch(help, /Gitter|gjoin|gpart|org\/room/);
  });

  it("says status, list and search in Mattermost's words", async () => {
    const status = await b.command("status");
    assert.match(status, /^Logged in to Mattermost as alice\b/);
    const list = await b.command("list");
    assert.match(list, /^Your Mattermost channels \(\* = open in Matrix\):$/m);
    assert.match(list, /^\* acme\/dev$/m);
    assert.match(list, /^\* beta\/town-square$/m);
    assert.match(list, /\(direct message\)$/m);
    const search = await b.command("search lob");
    assert.match(search, /^Mattermost channels matching "lob":\nacme\/lobby \(\d+ people\)\nJoin one with `join <channel>`\.$/);
    for (const text of [status, list, search]) assert.doesNotMatch(text, /Gitter/);
  });

  it("searches people too, and says how to start a direct message with one", async () => {
    assert.equal(await b.command("search car"), 'People on Mattermost matching "car":\n@carol\nStart a direct message with `join @<username>`.');
    assert.equal(await b.command("search zzz"), 'No Mattermost channels or people match "zzz".');
    assert.match(await b.command("help"), /^search <name> — Search Mattermost channels and people by name\.$/m);
  });

  it("joins by team/channel and parts by the channel's link, on Mattermost", async () => {
    assert.equal(await b.command("join acme/lobby"), "Joined acme/lobby. You have been invited to its Matrix room.");
    assert.ok(b.isMember("acme/lobby", "alice"), "alice joined acme/lobby on Mattermost");
    assert.equal(await b.command(`part ${b.mm.url}/acme/channels/lobby`), "Left acme/lobby on Mattermost.");
    await eventually(() => !b.isMember("acme/lobby", "alice"), "alice left acme/lobby on Mattermost");
  });

  it("opens a direct message by @username, and names what it cannot find in Mattermost's words", async () => {
    assert.match(await b.command("join @carol"), /^Joined .+ \(direct message\)\. You have been invited to its Matrix room\.$/);
    assert.equal(await b.command("join acme/nope"), "There is no Mattermost channel acme/nope, or you cannot see it.");
    assert.equal(await b.command("part acme/secret"), "You are not in acme/secret on Mattermost. See `list`.");
    assert.match(await b.command("gjoin https://elsewhere.example/acme/channels/dev"), /^That does not look right: ".*" is not a link to 127\.0\.0\.1:\d+\.$/);
  });

  it("tells how to log in with a personal access token, with no link: to `login` and in the greeting", async () => {
    const login = await b.command("login");
    assert.equal(login, `To log in, ${TOKEN_HOW_TO}. Logging in again replaces your current Mattermost login.`);
    const greeting = await b.greeting(NEWCOMER);
    assert.match(greeting.body, /^Hello! I bridge Mattermost to Matrix: log in with your own Mattermost account, and each Mattermost channel you are in becomes/);
    assert.ok(greeting.body.endsWith(`\nTo start, ${TOKEN_HOW_TO}.`), greeting.body);
    assert.match(greeting.html, /<code>login token &lt;token&gt;<\/code>/);
    for (const text of [login, greeting.body, greeting.html]) {
      assert.doesNotMatch(text, /Gitter|https?:\/\//);
    }
  });

  it("says the same when Mattermost stops taking the login", async () => {
    const before = b.hs.sends.length;
    await fetch(`${b.mm.url}/_emulator/tokens/${ALICE}`, { method: "DELETE" });
    await fetch(`${b.mm.url}/_emulator/cut-websockets`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ user: "alice" }) });
    const notice = await b.botSays(CONTROL, before, "the notice of the dead login");
    assert.equal(notice.body, `Mattermost no longer accepts your login, so your channels are paused. To resume, ${TOKEN_HOW_TO}.`);
  });
});

describe("a Mattermost bridge's texts, with the bridge's OAuth app", { timeout: 120_000 }, () => {
  let b: Running;

  before(async () => {
    b = await Running.start(true);
  });

  after(async () => {
    await b?.stop();
  });

  it("offers both the link and the token: in help, to `login` and in the greeting", async () => {
    const help = await b.command("help");
    assert.match(help, /^login \[code\] — Get a link to log in with your Mattermost account\. After Mattermost, the bridge's page shows a code/m);
    assert.match(help, /^login token <token> — /m);
    const login = await b.command("login");
    assert.match(login, /^Open this link to log in with Mattermost \(valid for 10 minutes, works once\): http:\/\/\S+ After Mattermost, the page shows a code: send it here as `login <code>`\./);
    assert.ok(login.includes(` Or ${TOKEN_HOW_TO}.`), login);
    const greeting = await b.greeting(NEWCOMER);
    assert.match(greeting.body, /\nTo start, log in with Mattermost \(the link works once, for 10 minutes\): http:\/\/\S+\nAfter Mattermost, the bridge's page shows a code/);
    assert.ok(greeting.body.endsWith(`\nOr ${TOKEN_HOW_TO}.`), greeting.body);
    assert.match(greeting.html, /<a href="http[^"]+">log in with Mattermost<\/a>/);
    for (const text of [help, login, greeting.body]) assert.doesNotMatch(text, /Gitter/);
  });
});
