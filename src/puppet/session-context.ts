import type { MatrixClient } from "../matrix/client";
import type { MatrixIds } from "../matrix/ids";
import type { MessageMetrics } from "../metrics";
import type { Capabilities, NetworkClient } from "../network/connector";
import type { Store } from "../store/store";
import type { BackoffPolicy } from "../util/backoff";
import type { GhostManager } from "./ghosts";
import type { PortalQueues } from "./portal-queues";
import type { NoticeAbout } from "./notices";
import type { MediaBridge } from "./portal-media";

/** What a user's session and its portals share: one Gitter identity, the bridge-wide Matrix side. */
export interface SessionContext {
  mxid: string;
  gitterUserId: string;
  gitterUsername: string;
  /** The user's client of the network interface; what the core moved onto the interface calls. */
  network: NetworkClient;
  /** The appservice's client; `.as(mxid)` acts as the bot or a ghost. */
  matrix: MatrixClient;
  ids: MatrixIds;
  ghosts: GhostManager;
  store: Store;
  /** The bridge-wide portal queues, one per direction, keyed by Matrix room id. */
  queue: PortalQueues;
  maxPortalMembers: number;
  /** What the user's network can do (its connector's). */
  capabilities: Capabilities;
  /** The network's name for people (`Gitter`, `Mattermost`). */
  networkName: string;
  /** Images copied into Matrix, files shared to Gitter. */
  media: MediaBridge;
  /** Aborted when the session stops (logout, revoked token, bridge shutdown): retries waiting on an outage end. */
  lifetime: AbortSignal;
  /** The waits between attempts of work held up by an outage (retry.ts `untilDone`); OUTAGE_BACKOFF when absent. */
  outageBackoff?: BackoffPolicy;
  /** Counts what the portals bridge; absent when nobody scrapes metrics. */
  metrics?: MessageMetrics;
  /** Sends an m.notice from the bot (see notices.ts for `about`). Never throws (failures are logged). */
  notice(roomId: string, about: NoticeAbout, text: string): Promise<void>;
}
