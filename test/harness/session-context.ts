// A user's SessionContext for integration tests of the portals' parts (outbox, edits): the network client and
// store the test gives, a Matrix client that reaches nothing, and the bridge's own ghosts, queues and media. Retries
// (the Matrix client's of a call, the session's of work held up by an outage) are as many as the bridge's, and
// milliseconds apart: a test counts attempts, it does not wait out the bridge's real delays.
import { GitterNetworkClient } from "../../src/gitter/network";
import type { GitterRestClient } from "../../src/gitter/rest";
import { MatrixClient } from "../../src/matrix/client";
import { MatrixIds } from "../../src/matrix/ids";
import type { Capabilities, NetworkClient } from "../../src/network/connector";
import { GhostManager } from "../../src/puppet/ghosts";
import { MediaBridge } from "../../src/puppet/portal-media";
import { PortalQueues } from "../../src/puppet/portal-queues";
import type { SessionContext } from "../../src/puppet/session-context";
import type { Portal, SendIntent, Store } from "../../src/store/store";
import type { BackoffPolicy } from "../../src/util/backoff";

export interface TestContextOptions {
  mxid: string;
  store: Store;
  network: NetworkClient;
  ghostPrefix?: string;
  lifetime?: AbortSignal;
  notice?: SessionContext["notice"];
  /** The network's; Gitter's when not given. */
  capabilities?: Capabilities;
  networkName?: string;
  /** The homeserver the Matrix client reaches; by default none. */
  homeserverUrl?: string;
}

/** Waits between retries, in tests: a few milliseconds. */
export const TEST_BACKOFF: BackoffPolicy = { baseMs: 1, maxMs: 5 };

const GITTER_CAPABILITIES: Capabilities = { threads: true, reactions: false, typing: false, files: false, keyedSendWindowMs: 0 };

export function testSessionContext(o: TestContextOptions): SessionContext {
  const matrix = MatrixClient.connect({ homeserverUrl: o.homeserverUrl ?? "http://127.0.0.1:1", asToken: "unused", userId: "@bot:example.org", backoff: TEST_BACKOFF });
  const ids = new MatrixIds({ domain: "example.org", botLocalpart: "bot", ghostPrefix: o.ghostPrefix ?? "gitter_" });
  const { store } = o;
  return {
    mxid: o.mxid,
    gitterUserId: o.network.self.id,
    gitterUsername: o.network.self.username,
    network: o.network,
    matrix,
    ids,
    ghosts: new GhostManager({ matrix, ids, store: store.ghosts, maxAvatarBytes: 1, trustedHosts: new Set(), displayNameTemplate: "{displayName}" }),
    store,
    queue: new PortalQueues(),
    maxPortalMembers: 10,
    capabilities: o.capabilities ?? GITTER_CAPABILITIES,
    networkName: o.networkName ?? "Gitter",
    media: new MediaBridge({ matrix, store: store.media, publicUrl: "http://127.0.0.1:1", maxBytes: 1, trustedHosts: new Set() }),
    lifetime: o.lifetime ?? new AbortController().signal,
    outageBackoff: TEST_BACKOFF,
    notice: o.notice ?? (async () => undefined),
  };
}

/**
 * The session's network client over the test's Gitter client, as the session manager pairs them; its realtime
 * stream connects to `fayeUrl` (a closed port: no realtime connection).
 */
export function gitterClients(apiUrl: string, self: { id: string; username: string }, token: string, rest: GitterRestClient, fayeUrl = `${apiUrl}/bayeux`): Pick<TestContextOptions, "network"> {
  const user = { ...self, displayName: self.username };
  return { network: new GitterNetworkClient(rest, user, { apiUrl, fayeUrl, token }) };
}

/** An open send intent of `portal` for the Matrix event `eventId` with `text`, as the outbox records one. */
export function openIntent(portal: Pick<Portal, "mxid" | "matrixRoomId" | "gitterRoomId">, eventId: string, text: string): SendIntent {
  return { matrixEventId: eventId, mxid: portal.mxid, matrixRoomId: portal.matrixRoomId, gitterRoomId: portal.gitterRoomId, text, status: false, parentId: null, createdAt: Date.now() };
}
