// One portal over Mattermost with the session's realtime listener, as the portal tests (reactions, typing) need it:
// the Mattermost emulator (rate limit off), the stub homeserver, a real SQLite store, alice's Mattermost client, her
// session context, and her portal of acme/dev (Matrix room PORTAL) fed by her realtime stream.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { MattermostConnector } from "../../src/mattermost/network";
import type { NetworkClient } from "../../src/network/connector";
import type { NetworkEvent, RealtimeListener, RealtimeStream } from "../../src/network/realtime";
import { PortalRoom } from "../../src/puppet/portal";
import type { RoomListFollower } from "../../src/puppet/room-list";
import type { SessionContext } from "../../src/puppet/session-context";
import { sessionListener } from "../../src/puppet/session-realtime";
import { openStore } from "../../src/store/knex-store";
import type { Store } from "../../src/store/store";
import { configureLogging } from "../../src/util/log";
import { startHomeserverStub, type HomeserverStub } from "../harness/hs-stub";
import { testSessionContext } from "../harness/session-context";
import { ALICE, startMm, type MmApi } from "./mm-emulator-helpers";
import { waitFor } from "./network-contract";

export const MXID = "@alice:example.org";
export const PORTAL = "!dev:example.org";

export interface MmPortalSetup {
  mm: MmApi;
  hs: HomeserverStub;
  dir: string;
  store: Store;
  connector: MattermostConnector;
  network: NetworkClient;
  ctx: SessionContext;
  /** The channel acme/dev. */
  roomId: string;
  portal: PortalRoom;
  /** The session's listener the stream feeds. */
  listener: RealtimeListener;
  stream: RealtimeStream;
  stop(): Promise<void>;
}

export interface MmPortalOptions {
  /** Prefix of the temporary folder. */
  name: string;
  notice?: SessionContext["notice"];
  /** Sees every event of the stream before the session's listener. */
  onEvent?: (e: NetworkEvent) => void;
}

type Base = Pick<MmPortalSetup, "mm" | "hs" | "dir" | "store" | "connector" | "network">;
type Wired = Pick<MmPortalSetup, "ctx" | "roomId" | "portal" | "listener" | "stream">;

/** Starts it all and waits until the stream is connected; `stop` undoes what was started, in reverse. */
export async function startMmPortal(opts: MmPortalOptions): Promise<MmPortalSetup> {
  configureLogging({ sink: { write: () => undefined } });
  const b: Partial<Base> = {};
  let wired: Wired | undefined;
  const stop = async () => {
    wired?.stream.stop();
    configureLogging({ sink: undefined });
    await b.store?.close();
    await b.hs?.stop();
    await b.mm?.emu.stop();
    if (b.dir) await rm(b.dir, { recursive: true, force: true });
  };
  try {
    b.mm = await startMm();
    await b.mm.control("PUT", "/rate-limit", { enabled: false });
    b.hs = await startHomeserverStub();
    b.dir = await mkdtemp(path.join(os.tmpdir(), `${opts.name}-`));
    b.store = await openStore(`sqlite:${path.join(b.dir, "bridge.db")}`);
    b.connector = new MattermostConnector({ serverUrl: b.mm.emu.url });
    b.network = await b.connector.connect(ALICE);
    wired = await wirePortal(b as Base, opts);
    await waitFor("connected", () => wired?.stream.state === "connected");
    return { ...(b as Base), ...wired, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Alice's session context, her portal of acme/dev, and her realtime stream feeding the session's listener. */
async function wirePortal(b: Base, opts: MmPortalOptions): Promise<Wired> {
  const { store, network, connector } = b;
  const ctx = testSessionContext({
    mxid: MXID, store, network, ghostPrefix: "mattermost_", homeserverUrl: b.hs.url,
    capabilities: connector.capabilities, networkName: connector.displayName, notice: opts.notice,
  });
  const roomId = b.mm.channelId("acme/dev");
  const row = { mxid: MXID, gitterRoomId: roomId, matrixRoomId: PORTAL, oneToOne: false, lastGitterMessageId: await network.startCursor(roomId) };
  await store.portals.putPortal(row);
  const portal = new PortalRoom(ctx, row);
  const roomList = { onEvent: () => undefined } as unknown as RoomListFollower;
  const listener = sessionListener(ctx, { portal: (id) => (id === roomId ? portal : undefined), roomList, onState: () => undefined });
  const stream = network.realtime();
  stream.watch(roomId, row.lastGitterMessageId);
  const { onEvent } = opts;
  stream.start(onEvent ? { ...listener, event: (e) => (onEvent(e), listener.event(e)) } : listener);
  return { ctx, roomId, portal, listener, stream };
}
