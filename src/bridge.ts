// Composition root: builds the store, the Matrix edge, the Gitter sessions and the web server, and returns a
// handle whose stop() undoes it all. No decisions live here; they belong to the parts it wires.
import type { CommandServices } from "./commands/types";
import { permissionFor, oauthRedirectUri, type BridgeConfig } from "./config";
import { doctorOn } from "./doctor";
import type { Registration } from "./config/registration";
import { GitterConnector } from "./gitter/network";
import { MattermostConnector } from "./mattermost/network";
import { MatrixClient } from "./matrix/client";
import { downloadMedia } from "./matrix/media";
import type { NetworkConnector } from "./network/connector";
import type { RateLimitWait } from "./network/types";
import { explainTokenRefusal, pingHomeserver } from "./matrix/homeserver-check";
import { MatrixIds } from "./matrix/ids";
import { startServers, type Servers } from "./servers";
import { startInboxPruning } from "./matrix/inbox-pruning";
import { InboxProcessor, type EventHandler } from "./matrix/inbox-processor";
import { BridgeMetrics } from "./metrics";
import { ControlRooms, controlRoomTeller, eventCarriesSecret, type TellUser } from "./puppet/control";
import { DirectChats } from "./puppet/direct-chats";
import { EncryptedRooms } from "./puppet/encryption";
import { GhostManager } from "./puppet/ghosts";
import { LoginService, oauthProviderOf, startPendingLoginPruning } from "./puppet/login";
import { LoginRenewal } from "./puppet/login-renewal";
import { TokenLogin } from "./puppet/login-token";
import { BridgeCommandServices } from "./puppet/command-services";
import { SessionManager } from "./puppet/manager";
import { noticeSender, type SayNotice } from "./puppet/notices";
import { MediaBridge } from "./puppet/portal-media";
import { PortalQueues } from "./puppet/portal-queues";
import { ReadMarkers } from "./puppet/read-markers";
import { outageDelay } from "./puppet/retry";
import { createRouter } from "./puppet/router";
import { assertKeyOpens, loadOrCreateKey, TokenCipher } from "./store/crypto";
import { openStore } from "./store/knex-store";
import type { Store } from "./store/store";
import { close, urlOf } from "./util/http-server";
import { configureLogging, getLogger, resolveFormat } from "./util/log";
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
  const { store, cipher } = await openStoreAndKey(config);
  const metrics = new BridgeMetrics();
  const connector = networkConnector(config, metrics);
  const matrix = await matrixSide(config, registration, store, connector);
  const network = await networkSide(config, registration, store, cipher, matrix, { connector, metrics });
  const processor = new InboxProcessor({ inbox: store.inbox, handler: network.handler, carriesSecret: eventCarriesSecret, retryDelay: (err, attempt) => outageDelay(err, attempt) });
  const servers = await startServers(config, registration, store, { matrix, network, processor });
  // The ping also makes a homeserver that found us down (and holds our transactions back for a growing while,
  // up to minutes in Synapse) send them again at once; one that failed is repeated in the background.
  const pinging = new AbortController();
  await pingHomeserver(matrix.client, registration.id, config.appservice.registration, pinging.signal);
  await processor.start();
  const timers = [startInboxPruning(store.inbox), startPendingLoginPruning(network.login)];
  void network.sessions.resumeAll().catch((err: Error) => log.error("resuming sessions failed", { error: err }));
  const urls = { appservice: urlOf(servers.appservice), web: urlOf(servers.web), ...(servers.metrics ? { metrics: urlOf(servers.metrics) } : {}) };
  log.info("bridge started", { version: VERSION, node: process.version, ...urls, bot: matrix.ids.botMxid });
  return bridgeHandle({ store, network, processor, servers, pinging, timers });
}

/** The store, and the key that opens the tokens it holds. */
async function openStoreAndKey(config: BridgeConfig): Promise<{ store: Store; cipher: TokenCipher }> {
  const store = await openStore(config.database, undefined, config.sqlite);
  // A missing or different key on a database with tokens is an operator's mistake to fix, never a silent reset.
  const stored = (await store.users.listLoggedInUsers()).flatMap((u) => (u.tokenCiphertext ? [u.tokenCiphertext] : []));
  const cipher = new TokenCipher(await loadOrCreateKey(config.encryption.keyFile, { create: stored.length === 0 }));
  assertKeyOpens(cipher, stored, config.encryption.keyFile);
  return { store, cipher };
}

interface MatrixSide {
  ids: MatrixIds;
  /** The appservice's client, acting as the bot. */
  client: MatrixClient;
  /** The one notice sender (see puppet/notices.ts), and telling a user in their control room through it. */
  say: SayNotice;
  tell: TellUser;
}

/** The homeserver side: our ids, a client with the bot registered and named, and the bot's notices. */
async function matrixSide(config: BridgeConfig, registration: Registration, store: Store, connector: NetworkConnector): Promise<MatrixSide> {
  const { botLocalpart, ghostPrefix } = config.bridge;
  const ids = new MatrixIds({ domain: config.homeserver.domain, botLocalpart, ghostPrefix });
  const client = MatrixClient.connect({ homeserverUrl: config.homeserver.url, asToken: registration.as_token, userId: ids.botMxid });
  await prepareBot(client, config, `${connector.displayName} bridge`).catch((err: unknown) => explainTokenRefusal(err, config.appservice.registration));
  const say = noticeSender(client, ids.botMxid);
  return { ids, client, say, tell: controlRoomTeller(store.users, say) };
}

interface NetworkSide {
  queue: PortalQueues;
  metrics: BridgeMetrics;
  login: LoginService;
  sessions: SessionManager;
  /** Takes each Matrix event from the inbox to the part it concerns. */
  handler: EventHandler;
  /** The network's display name, for what people read (the login pages). */
  name: string;
}

/** The network side: ghosts, media, logins and sessions, and the router taking Matrix events to them. */
async function networkSide(
  config: BridgeConfig,
  registration: Registration,
  store: Store,
  cipher: TokenCipher,
  matrix: MatrixSide,
  { connector, metrics }: { connector: NetworkConnector; metrics: BridgeMetrics },
): Promise<NetworkSide> {
  const queue = new PortalQueues({ concurrency: 32 });
  const trustedHosts = networkHosts(config);
  const { ids, client } = matrix;
  const { maxBytes } = config.media;
  const ghosts = new GhostManager({ matrix: client, ids, store: store.ghosts, maxAvatarBytes: maxBytes, trustedHosts, displayNameTemplate: config.bridge.displayNameTemplate });
  await ghosts.loadIds();
  const source = { homeserverUrl: config.homeserver.url, asToken: registration.as_token };
  const download = (server: string, mediaId: string) => downloadMedia(source, server, mediaId);
  const media = new MediaBridge({ matrix: client, store: store.media, publicUrl: config.web.publicUrl, maxBytes, trustedHosts, download });
  const login = loginService(config, store, cipher, ids.botMxid, connector);
  // Without the network's OAuth app no link is handed out: `login` and the notices say how to log in with a token.
  const linkLogin = login.offersLinks ? { loginLink: (mxid: string) => login.createLink(mxid) } : {};
  const sessions = new SessionManager({
    ...{ store, ids, ghosts, queue, cipher, media, metrics },
    matrix: client,
    tell: matrix.tell,
    network: connector,
    maxPortalMembers: config.bridge.maxPortalMembers,
    ...linkLogin,
    mayUse: (mxid) => permissionFor(config, mxid) !== "none",
    renewal: loginRenewal(store, cipher, connector),
  });
  const services = new BridgeCommandServices({
    ...{ store, ids, ghosts, sessions },
    matrix: client,
    networkName: connector.displayName,
    terms: connector.terms,
    searchesUsers: connector.capabilities.userSearch === true,
    ...linkLogin,
    confirmLogin: (mxid, code) => login.confirmCode(mxid, code),
    tokenLogin: new TokenLogin({ store, network: connector, encrypt: (t) => cipher.encrypt(t) }),
    doctor: doctorOn({ config, registration, migrationStatus: () => store.migrationStatus(), from: "bridge" }),
  });
  const handler = matrixRouter(config, store, matrix, { ghosts, sessions, services, metrics });
  return { queue, metrics, login, sessions, handler, name: connector.displayName };
}

/**
 * The network the config names, offering its OAuth as a login flow where configured, its clients' rate-limit
 * waits counted in `metrics`.
 */
function networkConnector(config: BridgeConfig, metrics: BridgeMetrics): NetworkConnector {
  const onRateLimitWait = (wait: RateLimitWait) => metrics.rateLimitWait(wait);
  const redirectUri = oauthRedirectUri(config);
  if (config.network === "gitter") {
    const { apiUrl, realtimeUrl: fayeUrl, oauthUrl, oauth } = config.gitter;
    return new GitterConnector({ apiUrl, fayeUrl, oauth: { oauthUrl, clientId: oauth.clientId, clientSecret: oauth.clientSecret, redirectUri }, onRateLimitWait });
  }
  const { clientId, clientSecret } = config.mattermost.oauth;
  const app = clientId !== undefined && clientSecret !== undefined ? { oauth: { clientId, clientSecret, redirectUri } } : {};
  return new MattermostConnector({ serverUrl: config.mattermost.url, ...app, onRateLimitWait });
}

/** The network's OAuth login (where the bridge has an OAuth app), finished by the code the user sends. */
function loginService(config: BridgeConfig, store: Store, cipher: TokenCipher, botMxid: string, network: NetworkConnector): LoginService {
  const oauth = oauthProviderOf(network.loginFlows);
  return new LoginService({
    store,
    ...(oauth ? { oauth } : {}),
    publicUrl: config.web.publicUrl,
    encrypt: (t) => cipher.encrypt(t),
    decrypt: (sealed) => cipher.decrypt(sealed),
    botMxid,
    // The network says who owns the token (connect asks it once, and refuses a dead token).
    identify: async (token) => {
      const { self } = await network.connect(token);
      return { gitterUserId: self.id, gitterUsername: self.username };
    },
  });
}

/** Renewal of expiring logins, where the network's OAuth has refresh tokens (not Gitter's). */
function loginRenewal(store: Store, cipher: TokenCipher, network: NetworkConnector): LoginRenewal | undefined {
  const provider = oauthProviderOf(network.loginFlows);
  if (!provider?.refresh) return undefined;
  const refresh = provider.refresh.bind(provider);
  return new LoginRenewal({ store, refresh, encrypt: (t) => cipher.encrypt(t), decrypt: (sealed) => cipher.decrypt(sealed) });
}

/** The control rooms, read markers, direct chats and encryption notices, behind one router. */
function matrixRouter(
  config: BridgeConfig,
  store: Store,
  matrix: MatrixSide,
  parts: { ghosts: GhostManager; sessions: SessionManager; services: CommandServices; metrics: BridgeMetrics },
): EventHandler {
  const { ids, client, tell } = matrix;
  const { ghosts, sessions, services, metrics } = parts;
  const permission = (mxid: string) => permissionFor(config, mxid);
  const sessionOf = (mxid: string) => sessions.session(mxid);
  const control = new ControlRooms({ matrix: client, ids, store, services, permissionFor: permission, metrics });
  const readMarkers = new ReadMarkers({ store, sessionOf });
  const directChats = new DirectChats({ matrix: client, ids, store, ghosts, permissionFor: permission, sessionOf, tell, metrics });
  const encryption = new EncryptedRooms({ store, say: (room, about, text) => matrix.say(room, about, text), tell, metrics });
  const mayUse = (mxid: string) => permission(mxid) !== "none";
  return createRouter({ ids, store, control, sessions, readMarkers, directChats, encryption, mayUse });
}

interface Running {
  store: Store;
  network: NetworkSide;
  processor: InboxProcessor;
  servers: Servers;
  /** Ends the background pings to the homeserver. */
  pinging: AbortController;
  /** The prunings repeated in the background. */
  timers: { stop(): void }[];
}

/** What start() returns: the addresses, and stop() undoing the start in the order that loses nothing. */
function bridgeHandle(r: Running): BridgeHandle {
  const { store, network, processor, servers } = r;
  const listeners = [servers.appservice, servers.web, ...(servers.metrics ? [servers.metrics] : [])];
  return {
    appserviceUrl: urlOf(servers.appservice),
    webUrl: urlOf(servers.web),
    ...(servers.metrics ? { metricsUrl: urlOf(servers.metrics) } : {}),
    store,
    sessions: network.sessions,
    idle: async () => {
      await processor.idle();
      await network.queue.idle();
    },
    stop: async () => {
      r.pinging.abort();
      await Promise.all(listeners.map(close));
      // The processor stops taking events first; stopping the sessions then ends handlers waiting on an
      // outage, whose events stay pending for the next start.
      for (const timer of r.timers) timer.stop();
      const draining = processor.stop();
      await network.sessions.stopAll();
      await draining;
      await network.queue.idle();
      await store.close();
      log.info("bridge stopped");
    },
  };
}

/** The bot must exist before anyone can invite it; its name is what users see in their room list. */
async function prepareBot(matrix: MatrixClient, config: BridgeConfig, name: string): Promise<void> {
  await matrix.registerUser(config.bridge.botLocalpart);
  const profile = await matrix.getProfile(matrix.userId).catch(() => null);
  if (profile?.displayname !== name) await matrix.setDisplayName(name);
}

/** The configured network's hosts: their images are fetched even where they resolve to private addresses. */
function networkHosts(config: BridgeConfig): ReadonlySet<string> {
  const urls = config.network === "gitter" ? [config.gitter.apiUrl, config.gitter.realtimeUrl, config.gitter.oauthUrl] : [config.mattermost.url];
  return new Set(urls.map((u) => new URL(u).hostname.toLowerCase()));
}
