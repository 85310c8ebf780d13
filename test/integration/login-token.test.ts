// The personal token login from the control room: the bot's control room as bridge.ts wires it (commands, the
// command services, the token login on the connector), the homeserver stub taking what the bot sends, the
// Mattermost emulator checking tokens, a SQLite store. The message carrying the token is redacted before the
// network is asked anything, a token is stored only sealed, and its text appears in no notice and no log line.
// (The bridge cannot be configured for Mattermost yet, so this runs on the stub, not on Synapse.)
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import { GitterConnector } from "../../src/gitter/network";
import { MatrixClient } from "../../src/matrix/client";
import { MatrixIds } from "../../src/matrix/ids";
import { MattermostConnector } from "../../src/mattermost/network";
import type { NetworkConnector } from "../../src/network/connector";
import { BridgeCommandServices } from "../../src/puppet/command-services";
import { ControlRooms } from "../../src/puppet/control";
import { GhostManager } from "../../src/puppet/ghosts";
import { TokenLogin } from "../../src/puppet/login-token";
import type { SessionManager } from "../../src/puppet/manager";
import { TokenCipher } from "../../src/store/crypto";
import { openStore } from "../../src/store/knex-store";
import type { Store } from "../../src/store/store";
import { configureLogging, loggingOptions } from "../../src/util/log";
import { startHomeserverStub, type HomeserverStub } from "../harness/hs-stub";
import { startMm, type MmApi } from "./mm-emulator-helpers";

const BOT = "@mattermost:localhost";
const ALICE = "@alice:localhost";
const CONTROL = "!control:localhost";

describe("logging in with a personal token sent to the bot", () => {
  const logLines: string[] = [];
  /** Homeserver and network requests, in the order they were made. */
  const order: string[] = [];
  const savedLogging = loggingOptions();
  let mm: MmApi;
  let hs: HomeserverStub;
  let dir: string;
  let store: Store;
  let cipher: TokenCipher;
  let started: string[];
  let redactRefused = false;
  let seq = 0;

  before(async () => {
    configureLogging({ sink: { write: (line) => void logLines.push(line) }, level: "debug", format: "json" });
    mm = await startMm();
    hs = await startHomeserverStub({
      keepSends: true,
      delayMs: (route, p) => void order.push(`hs ${route} ${p}`),
      override: (route) => (route === "state" && redactRefused ? { status: 403, body: { errcode: "M_FORBIDDEN", error: "no power" } } : undefined),
    });
    dir = await mkdtemp(path.join(os.tmpdir(), "login-token-"));
    store = await openStore(`sqlite:${path.join(dir, "bridge.db")}`);
    cipher = new TokenCipher(randomBytes(32));
  });

  after(async () => {
    await store.close();
    await hs.stop();
    await mm.emu.stop();
    await rm(dir, { recursive: true, force: true });
    configureLogging(savedLogging);
  });

  beforeEach(async () => {
    started = [];
    redactRefused = false;
    order.length = 0;
    await store.users.clearLogin(ALICE);
    await store.users.setControlRoom(ALICE, CONTROL);
  });

  /** The control room over `network`, as bridge.ts builds it; the session manager only records the starts. */
  function controlRoom(network: NetworkConnector): ControlRooms {
    const matrix = MatrixClient.connect({ homeserverUrl: hs.url, asToken: "as-token", userId: BOT });
    const ids = new MatrixIds({ domain: "localhost", botLocalpart: "mattermost", ghostPrefix: "mattermost_" });
    const ghosts = new GhostManager({ matrix, ids, store: store.ghosts, maxAvatarBytes: 1, trustedHosts: new Set(), displayNameTemplate: "{displayName}" });
    // Only the session start is looked at: a stand-in recording it (sessions on Mattermost are not the point here).
    const sessions = { startStoredLogin: async (mxid: string) => void started.push(mxid), session: () => undefined } as unknown as SessionManager;
    const services = new BridgeCommandServices({
      ...{ store, ids, ghosts, matrix, sessions },
      loginLink: async () => "http://bridge.example/login?state=x",
      confirmLogin: async () => ({ kind: "none" }),
      tokenLogin: new TokenLogin({ store, network, encrypt: (t) => cipher.encrypt(t) }),
      doctor: async () => [],
      networkName: network.displayName,
      terms: network.terms,
    });
    return new ControlRooms({ matrix, ids, store, services, permissionFor: () => "user" });
  }

  function mattermost(): NetworkConnector {
    const recording: typeof fetch = (input, init) => (order.push(`mm ${String(input)}`), fetch(input, init));
    return new MattermostConnector({ serverUrl: mm.emu.url, rest: { fetch: recording, retry: { maxAttempts: 1 } } });
  }

  /** `body` sent by Alice in her control room; resolves with the bot's answer. */
  async function send(control: ControlRooms, body: string): Promise<{ eventId: string; answer: string }> {
    const before = hs.sends.length;
    const eventId = `$token-${++seq}`;
    const handled = await control.onMessage({ event_id: eventId, room_id: CONTROL, sender: ALICE, type: "m.room.message", content: { msgtype: "m.text", body } });
    assert.ok(handled);
    const answer = hs.sends.slice(before).find((s) => s.roomId === CONTROL && s.userId === BOT);
    assert.ok(answer, `an answer to ${body.split(" ").slice(0, 2).join(" ")}`);
    return { eventId, answer: String(answer.content.body) };
  }

  /** The redaction of `eventId` was the first request made after the message came, before any to the network. */
  function redactedFirst(eventId: string): void {
    assert.ok(order.length > 0, "requests were made");
    assert.equal(order[0], `hs state /_matrix/client/v3/rooms/${encodeURIComponent(CONTROL)}/redact/${encodeURIComponent(eventId)}/${encodeURIComponent(`secret-${eventId}`)}`);
  }

  /** The token's text is in nothing the bot sent and no log line. */
  function nowhere(token: string): void {
    for (const s of hs.sends) assert.ok(!JSON.stringify(s.content).includes(token), "a notice quotes the token");
    for (const line of logLines) assert.ok(!line.includes(token), `a log line quotes the token: ${line.slice(0, 200)}`);
  }

  it("stores a token Mattermost takes, sealed, and starts the session, the message redacted first", async () => {
    const token = (await mm.control<{ token: string }>("POST", "/tokens", { user: "alice" })).token;
    const { eventId, answer } = await send(controlRoom(mattermost()), `login token ${token}`);
    redactedFirst(eventId);
    assert.ok(order.some((r) => r.startsWith("mm ") && r.endsWith("/api/v4/users/me")), "the token was checked with Mattermost");
    assert.equal(answer, "Token accepted: your Matrix account now uses the Mattermost account alice.");
    const user = await store.users.getUser(ALICE);
    assert.equal(user?.gitterUsername, "alice");
    assert.equal(user?.gitterUserId, mm.userId("alice"));
    assert.ok(user?.tokenCiphertext && !user.tokenCiphertext.includes(token));
    assert.equal(cipher.decrypt(user.tokenCiphertext), token);
    assert.deepEqual(started, [ALICE]);
    nowhere(token);
  });

  it("redacts a wrong token too, stores nothing and says Mattermost did not take it", async () => {
    const token = randomBytes(13).toString("hex");
    const { eventId, answer } = await send(controlRoom(mattermost()), `!login token   ${token}`);
    redactedFirst(eventId);
    assert.match(answer, /^Mattermost did not accept that token .*Nothing was stored\.$/);
    assert.equal((await store.users.getUser(ALICE))?.tokenCiphertext, null);
    assert.deepEqual(started, []);
    assert.ok(logLines.some((l) => l.includes("personal token not taken")), "the refusal is logged (by its kind)");
    nowhere(token);
  });

  it("says when it could not redact: the person is asked to delete the message", async () => {
    redactRefused = true;
    const token = randomBytes(13).toString("hex");
    const { answer } = await send(controlRoom(mattermost()), `login token ${token}`);
    assert.match(answer, /did not accept that token[\s\S]*\nI could not remove your message with the token: please delete it yourself\.$/);
    nowhere(token);
  });

  it("redacts an edit that puts a token into a message, before anything else", async () => {
    const token = randomBytes(13).toString("hex");
    const eventId = "$edit-with-token";
    const content = {
      msgtype: "m.text",
      body: `* login token ${token}`,
      "m.new_content": { msgtype: "m.text", body: `login token ${token}` },
      "m.relates_to": { rel_type: "m.replace", event_id: "$typo" },
    };
    assert.ok(await controlRoom(mattermost()).onMessage({ event_id: eventId, room_id: CONTROL, sender: ALICE, type: "m.room.message", content }));
    redactedFirst(eventId);
    nowhere(token);
  });

  it("lists the token login in help on Mattermost only; on Gitter the command says there is none, and still redacts", async () => {
    assert.match((await send(controlRoom(mattermost()), "help")).answer, /^login token <token> — /m);
    const gitter = controlRoom(new GitterConnector({ apiUrl: "http://127.0.0.1:9", fayeUrl: "http://127.0.0.1:9/bayeux" }));
    assert.doesNotMatch((await send(gitter, "help")).answer, /login token/);
    const token = randomBytes(13).toString("hex");
    order.length = 0;
    const { eventId, answer } = await send(gitter, `login token ${token}`);
    redactedFirst(eventId);
    assert.match(answer, /^Gitter offers no token login here\. Send `login` for a link/);
    assert.equal((await store.users.getUser(ALICE))?.tokenCiphertext, null);
    nowhere(token);
  });
});
