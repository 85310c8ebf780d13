// The session manager with a login renewal, on the Gitter emulator and the homeserver stub: a session whose token
// is renewed restarts on the new token without a word to the user; a token the network stops taking is renewed
// first; a refresh the network refuses ends the login and tells the user as for a revoked token. Gitter has no
// refresh tokens: the refresh here is a stand-in that hands out the emulator's next token and revokes the old one,
// as Mattermost's refresh does (the sessions cannot run on Mattermost yet; login-renewal.test.ts renews there).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { GitterConnector } from "../../src/gitter/network";
import { MatrixClient } from "../../src/matrix/client";
import { MatrixIds } from "../../src/matrix/ids";
import { NetworkError } from "../../src/network/errors";
import type { LoginTokens } from "../../src/network/types";
import { GhostManager } from "../../src/puppet/ghosts";
import { LoginRenewal } from "../../src/puppet/login-renewal";
import { SessionManager } from "../../src/puppet/manager";
import { MediaBridge } from "../../src/puppet/portal-media";
import { PortalQueues } from "../../src/puppet/portal-queues";
import { TokenCipher } from "../../src/store/crypto";
import { openStore } from "../../src/store/knex-store";
import type { Store } from "../../src/store/store";
import { configureLogging, loggingOptions } from "../../src/util/log";
import { startHomeserverStub, type HomeserverStub } from "../harness/hs-stub";
import { eventually } from "../harness/stack";

const ALICE = "@alice:localhost";
const CLIENT = "bridge-client";

describe("sessions whose logins are renewed", { timeout: 120_000 }, () => {
  const savedLogging = loggingOptions();
  let emulator: RunningEmulator;
  let hs: HomeserverStub;
  let dir: string;
  let store: Store;
  let cipher: TokenCipher;
  let sessions: SessionManager | undefined;
  let told: { purpose: string; text: string }[];
  /** The refresh token the stand-in takes; any other is refused. */
  let liveRefresh: string;

  before(async () => {
    configureLogging({ level: "error" });
    emulator = await startEmulator({ control: true, fixture: { users: [{ username: "alice", password: "alice-pass" }], rooms: [] } });
    hs = await startHomeserverStub({ keepSends: true });
    dir = await mkdtemp(path.join(os.tmpdir(), "renewal-session-"));
    store = await openStore(`sqlite:${path.join(dir, "bridge.db")}`);
    cipher = new TokenCipher(randomBytes(32));
  });

  afterEach(async () => {
    await sessions?.stopAll();
    sessions = undefined;
  });

  after(async () => {
    await store.close();
    await hs.stop();
    await emulator.stop();
    await rm(dir, { recursive: true, force: true });
    configureLogging(savedLogging);
  });

  const aliceId = () => emulator.state.findUserByName("alice")!.id;
  const liveToken = () => emulator.state.auth.tokenFor(aliceId(), CLIENT);

  /** Mattermost's refresh, played on Gitter's tokens: the old token dies, a new pair comes back. */
  async function refresh(refreshToken: string): Promise<LoginTokens> {
    if (refreshToken !== liveRefresh) throw new NetworkError("rejected", "Gitter", "refresh token refused");
    emulator.state.auth.revoke(liveToken());
    liveRefresh = randomBytes(8).toString("hex");
    return { accessToken: liveToken(), refreshToken: liveRefresh, expiresAt: Date.now() + 3_600_000 };
  }

  /** Alice's stored login (the live token unless given), expiring in `expiresInMs`, and the manager resuming it. */
  async function resume(expiresInMs: number, stored: { token?: string; refresh?: string } = {}): Promise<SessionManager> {
    liveRefresh = randomBytes(8).toString("hex");
    await store.users.setControlRoom(ALICE, "!control:localhost");
    await store.users.setLogin(ALICE, {
      gitterUserId: aliceId(),
      gitterUsername: "alice",
      tokenCiphertext: cipher.encrypt(stored.token ?? liveToken()),
      refreshTokenCiphertext: cipher.encrypt(stored.refresh ?? liveRefresh),
      tokenExpiresAt: Date.now() + expiresInMs,
    });
    told = [];
    const matrix = MatrixClient.connect({ homeserverUrl: hs.url, asToken: "as-token", userId: "@gitter:localhost" });
    const ids = new MatrixIds({ domain: "localhost", botLocalpart: "gitter", ghostPrefix: "gitter_" });
    const ghosts = new GhostManager({ matrix, ids, store: store.ghosts, maxAvatarBytes: 1, trustedHosts: new Set(), displayNameTemplate: "{displayName}" });
    const m = new SessionManager({
      ...{ store, matrix, ids, ghosts, cipher },
      queue: new PortalQueues(),
      media: new MediaBridge({ matrix, store: store.media, publicUrl: "http://127.0.0.1:1", maxBytes: 1, trustedHosts: new Set() }),
      network: new GitterConnector({ apiUrl: emulator.url, fayeUrl: `${emulator.url}/bayeux` }),
      maxPortalMembers: 10,
      tell: async (_mxid, about, text) => void told.push({ purpose: about.purpose, text }),
      loginLink: async () => "http://bridge.example/login?state=x",
      mayUse: () => true,
      // A minute-long token renewed a second after the start; a failed attempt is tried again soon.
      renewal: new LoginRenewal({ store, refresh, encrypt: (t) => cipher.encrypt(t), decrypt: (s) => cipher.decrypt(s), marginMs: expiresInMs - 1000, retryMs: 200 }),
    });
    sessions = m;
    await m.resumeAll();
    return m;
  }

  const connectedOn = async (m: SessionManager, token: string) => {
    const s = m.session(ALICE);
    return s?.connection === "connected" && cipher.decrypt((await store.users.getUser(ALICE))!.tokenCiphertext!) === token ? s : undefined;
  };

  it("restarts the session on the renewed token before the old one expires, telling the user nothing", async () => {
    const m = await resume(60_000);
    const first = await eventually(() => connectedOn(m, liveToken()), "the session connected");
    const old = liveToken();
    // The renewed token is stored before the session restarts on it: until then the first session, still connected,
    // sits next to the new token in the store.
    const restarted = async () => (liveToken() !== old && m.session(ALICE) !== first ? connectedOn(m, liveToken()) : undefined);
    await eventually(restarted, "the session restarted on the renewed token");
    assert.deepEqual(told, []);
    assert.ok((await store.users.getUser(ALICE))!.tokenExpiresAt! > Date.now() + 3_000_000);
  });

  it("renews a token the network stopped taking, not due yet, before telling anyone", async () => {
    const dead = liveToken();
    emulator.state.auth.revoke(dead);
    const m = await resume(3_600_000, { token: dead });
    await eventually(() => connectedOn(m, liveToken()), "the session on the renewed token");
    assert.notEqual(liveToken(), dead);
    assert.deepEqual(told, []);
  });

  it("ends the login and tells the user as for a revoked token when the refresh is refused", async () => {
    const m = await resume(60_000, { refresh: "revoked" });
    await eventually(() => told.length > 0 || undefined, "the user told");
    assert.equal(told[0]!.purpose, "token-invalid");
    assert.match(told[0]!.text, /no longer accepts your login.*Log in again/);
    assert.equal((await store.users.getUser(ALICE))!.tokenCiphertext, null);
    assert.equal(m.session(ALICE), undefined);
  });
});
