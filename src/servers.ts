// The bridge's listeners: the appservice API the homeserver calls, the web server (login pages, shared media, health
// and readiness, metrics), and the private metrics listener when one is configured.
import type http from "node:http";
import expressApp from "express";
import type express from "express";
import type { BridgeConfig } from "./config";
import type { Registration } from "./config/registration";
import { createAppserviceApp } from "./matrix/appservice";
import { MatrixClient } from "./matrix/client";
import type { MatrixIds } from "./matrix/ids";
import type { InboxProcessor } from "./matrix/inbox-processor";
import { downloadMedia } from "./matrix/media";
import type { BridgeMetrics } from "./metrics";
import type { LoginService } from "./puppet/login";
import type { SessionManager } from "./puppet/manager";
import type { PortalQueues } from "./puppet/portal-queues";
import { OwnerTyping } from "./puppet/typing";
import type { Store } from "./store/store";
import { listen } from "./util/http-server";
import { getLogger } from "./util/log";
import { createWebApp } from "./web/app";
import { mediaRouter } from "./web/media";
import { mountOpsRoutes } from "./web/metrics";

const log = getLogger("bridge");

/** What the listeners serve: the Matrix side's ids and bot client, the network side's parts, the inbox processor. */
export interface ServedParts {
  matrix: { ids: MatrixIds; client: MatrixClient };
  /** `name`: the network's display name, which the login pages name. */
  network: { queue: PortalQueues; sessions: SessionManager; metrics: BridgeMetrics; login: LoginService; name: string };
  processor: InboxProcessor;
}

export interface Servers {
  appservice: http.Server;
  web: http.Server;
  /** The private metrics listener, when metrics.port is set. */
  metrics?: http.Server;
}

/** Listens for the homeserver's transactions, then serves the login pages, media and ops routes. */
export async function startServers(
  config: BridgeConfig,
  registration: Registration,
  store: Store,
  parts: ServedParts,
): Promise<Servers> {
  const { matrix, network, processor } = parts;
  const { queue, sessions, metrics } = network;
  metrics.attach({
    sessionStates: () => sessions.sessionStates(),
    roomsCatchingUp: () => sessions.roomsCatchingUp(),
    queueDepths: () => ({ ...queue.depths(), inbox: processor.depths() }),
    inboxPending: () => store.inbox.countPending(),
  });
  const typing = new OwnerTyping({ store, sessionOf: (mxid) => sessions.session(mxid) });
  const asApp = createAppserviceApp({
    hsToken: registration.hs_token,
    inbox: store.inbox,
    isOurUser: (id) => matrix.ids.isOurs(id),
    onTransaction: () => processor.nudge(),
    onTyping: (events) => typing.onEvents(events),
    // A ping that gets through makes Synapse's recoverer send at once (rest/client/appservice_ping.py force_retry).
    onRecovery: () => void matrix.client.ping(registration.id).catch((err: Error) => log.warn("ping after a refused transaction failed", { error: err })),
  });
  const appservice = await listen(asApp, config.appservice.bind, config.appservice.port);
  const shared = sharedMediaRoute(config, registration, store);
  // With metrics.port set, /metrics has a private listener of its own and is kept off the public web server.
  const metricsApp = config.metrics.port > 0 ? metricsOnlyApp() : undefined;
  const ops = opsRoutes(config, registration, matrix.ids.botMxid, store, metrics, metricsApp);
  const extend = (app: express.Express) => {
    app.use(shared);
    ops(app);
  };
  const web = await listen(createWebApp({ login: network.login, networkName: network.name, extend }), config.web.bind, config.web.port);
  const metricsServer = metricsApp ? await listen(metricsApp, config.metrics.bind, config.metrics.port) : undefined;
  return { appservice, web, ...(metricsServer ? { metrics: metricsServer } : {}) };
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
