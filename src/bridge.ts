// Composition root: builds the store, the Matrix edge, the Gitter sessions and the web server, and returns a
// handle whose stop() undoes it all. No decisions live here; they belong to the parts it wires.
import http from "node:http";
import expressApp from "express";
import type express from "express";
import { permissionFor, oauthRedirectUri, type BridgeConfig } from "./config";
import { doctorOn } from "./doctor";
import type { Registration } from "./config/registration";
import { GitterOAuth } from "./gitter/oauth";
import { GitterRestClient } from "./gitter/rest";
import { createAppserviceApp } from "./matrix/appservice";
import { MatrixClient } from "./matrix/client";
import { explainTokenRefusal, pingHomeserver } from "./matrix/homeserver-check";
import { MatrixIds } from "./matrix/ids";
import { startInboxPruning } from "./matrix/inbox-pruning";
import { InboxProcessor } from "./matrix/inbox-processor";
import { downloadMedia } from "./matrix/media";
import { BridgeMetrics } from "./metrics";
import { ControlRooms } from "./puppet/control";
import { DirectChats } from "./puppet/direct-chats";
import { EncryptedRooms } from "./puppet/encryption";
import { GhostManager } from "./puppet/ghosts";
import { LoginService, startPendingLoginPruning } from "./puppet/login";
import { SessionManager } from "./puppet/manager";
import type { NoticeAbout } from "./puppet/notices";
import { MediaBridge } from "./puppet/portal-media";
import { PortalQueues } from "./puppet/portal-queues";
import { ReadMarkers } from "./puppet/read-markers";
import { outageDelay } from "./puppet/retry";
import { createRouter } from "./puppet/router";
import { assertKeyOpens, loadOrCreateKey, TokenCipher } from "./store/crypto";
import { openStore } from "./store/knex-store";
import type { Store } from "./store/store";
import { configureLogging, getLogger, resolveFormat } from "./util/log";
import { createWebApp } from "./web/app";
import { mediaRouter } from "./web/media";
import { mountOpsRoutes } from "./web/metrics";
import { VERSION } from "./version";

const log = getLogger("bridge");

export interface BridgeHandle {
  /** Where the homeserver reaches the appservice API, e.g. http://127.0.0.1:9898. */
  appserviceUrl: string;
  /** Where the web server listens (login pages, health). */
  webUrl: string;
  /** Where the private metrics listener listens, when metrics.port is set. */
  metricsUrl?: string;
  store: Store;
  sessions: SessionManager;
  /** Resolves when every Matrix event received so far has been handled. For tests and shutdown. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export async function start(config: BridgeConfig, registration: Registration): Promise<BridgeHandle> {
  configureLogging({ level: config.logging.level, format: resolveFormat(config.logging.format) });
  const store = await openStore(config.database, undefined, config.sqlite);
  // A missing or different key on a database with tokens is an operator's mistake to fix, never a silent reset.
  const stored = (await store.users.listLoggedInUsers()).flatMap((u) => (u.tokenCiphertext ? [u.tokenCiphertext] : []));
  const cipher = new TokenCipher(await loadOrCreateKey(config.encryption.keyFile, { create: stored.length === 0 }));
  assertKeyOpens(cipher, stored, config.encryption.keyFile);
  const ids = new MatrixIds({
    domain: config.homeserver.domain,
    botLocalpart: config.bridge.botLocalpart,
    ghostPrefix: config.bridge.ghostPrefix,
  });
  const matrix = MatrixClient.connect({ homeserverUrl: config.homeserver.url, asToken: registration.as_token, userId: ids.botMxid });
  await prepareBot(matrix, config).catch((err: unknown) => explainTokenRefusal(err, config.appservice.registration));

  const queue = new PortalQueues({ concurrency: 32 });
  const metrics = new BridgeMetrics();
  const trustedHosts = gitterHosts(config);
  const ghosts = new GhostManager({
    matrix,
    ids,
    store: store.ghosts,
    maxAvatarBytes: config.media.maxBytes,
    trustedHosts,
    displayNameTemplate: config.bridge.displayNameTemplate,
  });
  await ghosts.loadIds();
  const oauth = new GitterOAuth({
    oauthUrl: config.gitter.oauthUrl,
    clientId: config.gitter.oauth.clientId,
    clientSecret: config.gitter.oauth.clientSecret,
    redirectUri: oauthRedirectUri(config),
  });
  const media = new MediaBridge({ matrix, store: store.media, publicUrl: config.web.publicUrl, maxBytes: config.media.maxBytes, trustedHosts });
  let sessions: SessionManager;
  const login = new LoginService({
    store,
    oauth,
    publicUrl: config.web.publicUrl,
    encrypt: (t) => cipher.encrypt(t),
    decrypt: (sealed) => cipher.decrypt(sealed),
    botMxid: ids.botMxid,
    identify: async (token) => {
      const me = await new GitterRestClient({ apiUrl: config.gitter.apiUrl, token }).getCurrentUser();
      return { gitterUserId: me.id, gitterUsername: me.username };
    },
    onLogin: (mxid, identity, token) => sessions.onLogin(mxid, identity, token),
  });
  let control: ControlRooms;
  const mayUse = (mxid: string) => permissionFor(config, mxid) !== "none";
  sessions = new SessionManager({
    store,
    matrix,
    ids,
    ghosts,
    queue,
    cipher,
    gitter: { apiUrl: config.gitter.apiUrl, realtimeUrl: config.gitter.realtimeUrl },
    maxPortalMembers: config.bridge.maxPortalMembers,
    media,
    metrics,
    tell: (mxid, about, text, html) => control.tell(mxid, about, text, html),
    loginLink: (mxid) => login.createLink(mxid),
    confirmLogin: (mxid, code) => login.confirmCode(mxid, code),
    doctor: doctorOn({ config, registration, migrationStatus: () => store.migrationStatus(), from: "bridge" }),
    mayUse,
  });
  control = new ControlRooms({ matrix, ids, store, services: sessions, permissionFor: (m) => permissionFor(config, m), metrics });

  const readMarkers = new ReadMarkers({ store, sessionOf: (m) => sessions.session(m) });
  const sessionOf = (m: string) => sessions.session(m);
  const tell = (mxid: string, about: NoticeAbout, text: string) => control.tell(mxid, about, text);
  const directChats = new DirectChats({ matrix, ids, store, ghosts, permissionFor: (m) => permissionFor(config, m), sessionOf, tell, metrics });
  const encryption = new EncryptedRooms({ store, say: (room, about, text) => control.say(room, about, text), tell, metrics });
  const handler = createRouter({ ids, store, control, sessions, readMarkers, directChats, encryption, mayUse });
  const processor = new InboxProcessor({
    inbox: store.inbox,
    handler,
    retryDelay: (err, attempt) => outageDelay(err, attempt),
  });
  const asApp = createAppserviceApp({
    hsToken: registration.hs_token,
    inbox: store.inbox,
    isOurUser: (id) => ids.isOurs(id),
    onTransaction: () => processor.nudge(),
  });
  const asServer = await listen(asApp, config.appservice.bind, config.appservice.port);
  metrics.attach({
    sessionStates: () => sessions.sessionStates(),
    roomsCatchingUp: () => sessions.roomsCatchingUp(),
    queueDepths: () => ({ ...queue.depths(), inbox: processor.depths() }),
    inboxPending: () => store.inbox.countPending(),
  });
  const shared = sharedMediaRoute(config, registration, store);
  // With metrics.port set, /metrics has a private listener of its own and is kept off the public web server.
  const metricsApp = config.metrics.port > 0 ? metricsOnlyApp() : undefined;
  const ops = opsRoutes(config, registration, ids.botMxid, store, metrics, metricsApp);
  const extend = (app: express.Express) => {
    app.use(shared);
    ops(app);
  };
  const webServer = await listen(createWebApp({ login, extend }), config.web.bind, config.web.port);
  const metricsServer = metricsApp ? await listen(metricsApp, config.metrics.bind, config.metrics.port) : undefined;
  // The ping also makes a homeserver that found us down (and holds our transactions back for a growing while,
  // up to minutes in Synapse) send them again at once; one that failed is repeated in the background.
  const pinging = new AbortController();
  await pingHomeserver(matrix, registration.id, config.appservice.registration, pinging.signal);
  await processor.start();
  const pruning = startInboxPruning(store.inbox);
  const loginPruning = startPendingLoginPruning(login);
  void sessions.resumeAll().catch((err: Error) => log.error("resuming sessions failed", { error: err }));
  log.info("bridge started", {
    version: VERSION,
    node: process.version,
    appservice: urlOf(asServer),
    web: urlOf(webServer),
    ...(metricsServer ? { metrics: urlOf(metricsServer) } : {}),
    bot: ids.botMxid,
  });

  return {
    appserviceUrl: urlOf(asServer),
    webUrl: urlOf(webServer),
    ...(metricsServer ? { metricsUrl: urlOf(metricsServer) } : {}),
    store,
    sessions,
    idle: async () => {
      await processor.idle();
      await queue.idle();
    },
    stop: async () => {
      pinging.abort();
      await Promise.all([close(asServer), close(webServer), ...(metricsServer ? [close(metricsServer)] : [])]);
      // The processor stops taking events first; stopping the sessions then ends handlers waiting on an
      // outage, whose events stay pending for the next start.
      pruning.stop();
      loginPruning.stop();
      const draining = processor.stop();
      await sessions.stopAll();
      await draining;
      await queue.idle();
      await store.close();
      log.info("bridge stopped");
    },
  };
}

/** The bot must exist before anyone can invite it; its name is what users see in their room list. */
async function prepareBot(matrix: MatrixClient, config: BridgeConfig): Promise<void> {
  await matrix.registerUser(config.bridge.botLocalpart);
  const profile = await matrix.getProfile(matrix.userId).catch(() => null);
  if (profile?.displayname !== "Gitter bridge") await matrix.setDisplayName("Gitter bridge");
}

/** Serves the Matrix files users shared to Gitter, read from the homeserver as the appservice. */
function sharedMediaRoute(config: BridgeConfig, registration: Registration, store: Store): express.Router {
  const source = { homeserverUrl: config.homeserver.url, asToken: registration.as_token };
  return mediaRouter({
    lookup: (server, id) => store.media.getMedia(server, id),
    download: (server, id) => downloadMedia(source, server, id),
    maxBytes: config.media.maxBytes,
  });
}

/** /metrics, and /ready probing the database (a cheap count) and the homeserver (whoami as the bot). */
function opsRoutes(
  config: BridgeConfig,
  registration: Registration,
  botMxid: string,
  store: Store,
  metrics: BridgeMetrics,
  metricsApp: express.Express | undefined,
) {
  // Its own client: one attempt with a short deadline, so a probe reports an outage instead of retrying through it.
  const probeClient = MatrixClient.connect({
    homeserverUrl: config.homeserver.url,
    asToken: registration.as_token,
    userId: botMxid,
    maxAttempts: 1,
    timeoutMs: 5000,
  });
  const probes = { database: () => store.inbox.countPending(), homeserver: () => probeClient.whoami() };
  return (app: express.Express) => mountOpsRoutes(app, { metrics, readiness: { probes } }, metricsApp);
}

function metricsOnlyApp(): express.Express {
  const app = expressApp();
  app.disable("x-powered-by");
  return app;
}

// Not app.listen: since Express 5 it hands a listen error (port in use) to the callback, which would take the
// failure for success and leave the bridge running without its server.
function listen(app: express.Express, host: string, port: number): Promise<http.Server> {
  const server = http.createServer(app);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(server);
    });
  });
}

function urlOf(server: http.Server): string {
  const addr = server.address();
  return typeof addr === "object" && addr ? `http://${addr.address}:${addr.port}` : "";
}

function close(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** The configured Gitter hosts: their images are fetched even where they resolve to private addresses. */
function gitterHosts(config: BridgeConfig): ReadonlySet<string> {
  const { apiUrl, realtimeUrl, oauthUrl } = config.gitter;
  return new Set([apiUrl, realtimeUrl, oauthUrl].map((u) => new URL(u).hostname.toLowerCase()));
}
