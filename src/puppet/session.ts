// A logged-in user's session: one Gitter REST client and one realtime connection carrying all their rooms,
// and their portals. Gitter-side joins and leaves are followed; messages flow through the portals.
import type { RealtimeStream } from "../network/realtime";
import type { NetworkRoom } from "../network/types";
import type { Portal } from "../store/store";
import { getLogger } from "../util/log";
import { recoverIntents } from "./outbox";
import { untilSessionDone } from "./retry";
import { openPortal, populateMembers, refreshBridgeInfo } from "./portal-setup";
import { closePortalRoom, inviteOwner, type OwnerMembership } from "./portal-reopen";
import { PortalRoom, type MatrixRoomEvent } from "./portal";
import { LEFT_ON_GITTER, RoomListFollower, startOfUnread } from "./room-list";
import type { SessionContext } from "./session-context";
import { RoomTurns } from "./room-turns";
import { sessionListener, type RealtimeHost } from "./session-realtime";

const log = getLogger("session");

export interface SessionHooks {
  /** The token stopped working: tell the user; the manager ends the session. */
  onTokenInvalid(session: UserSession): void;
}

export class UserSession {
  private readonly portals = new Map<string, PortalRoom>();
  /** Openings and closings of portals, by Gitter room id, taking turns (room-turns.ts). */
  private readonly turns = new RoomTurns<PortalRoom>();
  private readonly roomList: RoomListFollower;
  private realtime: RealtimeStream | null = null;
  /**
   * Settles once the stored portals are attached and those of rooms left meanwhile closed: Matrix messages wait for
   * it, or they would find no portal, or one of a room left.
   */
  private readonly loaded: Promise<void>;
  private markLoaded!: () => void;
  connection = "starting";
  /**
   * Lower-cased usernames whose one-to-one is being given a room the user made in Matrix (direct-chats.ts): Gitter's
   * push announcing that one-to-one must not open a second room for it.
   */
  readonly adoptingDirect = new Set<string>();

  constructor(
    readonly ctx: SessionContext,
    private readonly hooks: SessionHooks,
  ) {
    this.loaded = new Promise((resolve) => (this.markLoaded = resolve));
    this.roomList = new RoomListFollower({
      network: ctx.network,
      hasPortal: (id) => this.portals.has(id) || this.turns.isOpening(id),
      adopting: (room) => room.kind === "direct" && this.adoptingDirect.has(room.others?.[0]?.username.toLowerCase() ?? ""),
      open: (room, startAfter) => this.ensurePortal(room, startAfter),
      close: (id, reason) => this.closePortal(id, reason),
    });
  }

  get mxid(): string {
    return this.ctx.mxid;
  }

  /**
   * Opens a portal for every Gitter room the user is in and starts listening. Outages of the database and of
   * Gitter are waited out; a session stopped meanwhile (logout, a new login, shutdown) goes no further. May throw.
   */
  async start(): Promise<void> {
    const rt = this.ctx.network.realtime();
    this.realtime = rt;
    let stored: Portal[] | undefined;
    let rooms: NetworkRoom[];
    try {
      // Known rooms are watched before connecting, so the connection subscribes to them all in one request.
      stored = await this.loadPortals();
      rooms = this.roomList.listed(await this.retried("read the user's Gitter rooms", () => this.ctx.network.listRooms()));
      // Before any held Matrix message goes out: Gitter takes a message into a public room from a non-member, so
      // a portal of a room left while the bridge was down would post it.
      await this.closeStale(stored, rooms);
    } finally {
      try {
        await this.release();
      } finally {
        if (stored && !this.ended()) rt.start(sessionListener(this.ctx, this.realtimeHost()));
      }
    }
    await this.openPortals(rooms);
  }

  private realtimeHost(): RealtimeHost {
    return { portal: (id: string) => this.portals.get(id), roomList: this.roomList, onState: (state: string) => this.onState(state) };
  }

  /** Whether the session was stopped: nothing may be started or opened for it any more. */
  private ended(): boolean {
    return this.ctx.lifetime.aborted || this.realtime === null;
  }

  /** Runs `fn` until it succeeds, outages waited out until the session stops (then it throws Stopped). */
  private retried<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return untilSessionDone(this.ctx, fn, (err, attempt, delayMs) =>
      log.warn(`could not ${what}; will retry`, { mxid: this.mxid, attempt, delayMs, error: err as Error }),
    );
  }

  /** Rooms left or hidden on Gitter while no session was listening: the realtime push never came. */
  private async closeStale(stored: Portal[], rooms: NetworkRoom[]): Promise<void> {
    const current = new Set(rooms.map((r) => r.id));
    for (const row of stored.filter((p) => !current.has(p.gitterRoomId))) {
      await this.closePortal(row.gitterRoomId, LEFT_ON_GITTER).catch((err: Error) =>
        log.error("could not close a portal", { gitterRoom: row.gitterRoomId, error: err }),
      );
    }
  }

  /** Opens a portal for each room without one; a loaded portal needs no lookup, only its bridge info refreshed. */
  private async openPortals(rooms: NetworkRoom[]): Promise<void> {
    for (const room of rooms) {
      if (this.ended()) return;
      const known = this.portals.get(room.id);
      if (known) {
        refreshBridgeInfo(this.ctx, known, room);
        continue;
      }
      // A one-to-one with messages the user has not read (sent while it was hidden, or while the bridge was down)
      // starts from the first of them, as when Gitter's push reopens it.
      const opening = this.ensurePortal(room, () => startOfUnread(this.ctx.network, room));
      await opening.catch((err: Error) => log.error("could not open a portal", { mxid: this.mxid, gitterRoom: room.id, error: err }));
    }
  }

  /**
   * Attaches the stored portals. A database outage is waited out (until the session stops): the user's Matrix
   * messages wait for the portals, and a session that went on without them would take every one for a message of
   * a room no longer bridged and drop it.
   */
  private async loadPortals(): Promise<Portal[]> {
    const stored = await this.retried("read the user's portals", () => this.ctx.store.portals.listPortals(this.mxid));
    if (!this.ended()) for (const row of stored) this.attach(new PortalRoom(this.ctx, row));
    return stored;
  }

  /**
   * Queues, on their rooms' queues, the messages a previous process left in flight (in portals still open), then
   * lets Matrix messages through. They wait for this, also when the start failed (they then find no portal), so a
   * message left in flight keeps its place before the room's newer ones.
   */
  private async release(): Promise<void> {
    try {
      await recoverIntents(this.ctx, (gitterRoomId) => this.portals.get(gitterRoomId)?.row);
    } finally {
      this.markLoaded();
    }
  }

  async stop(): Promise<void> {
    // A session stopped before it started (a paced resume) never loads: Matrix events waiting for it go on.
    this.markLoaded();
    this.realtime?.stop();
    this.realtime = null;
    this.portals.clear();
    this.connection = "stopped";
  }

  /** Watched rooms not live yet (waiting for the connection or catching up), for metrics. */
  roomsCatchingUp(): number {
    return this.realtime?.roomsCatchingUp ?? 0;
  }

  portalCount(): number {
    return this.portals.size;
  }

  portalByGitterRoom(gitterRoomId: string): PortalRoom | undefined {
    return this.portals.get(gitterRoomId);
  }

  portalByMatrixRoom(matrixRoomId: string): PortalRoom | undefined {
    for (const p of this.portals.values()) if (p.matrixRoomId === matrixRoomId) return p;
    return undefined;
  }

  /**
   * Opens the portal for a room the user is in on Gitter; an open one is returned as it is. A new portal starts
   * from now, or after the message `startAfter` (or the one it finds).
   */
  async ensurePortal(room: NetworkRoom, startAfter?: string | (() => Promise<string | undefined>)): Promise<PortalRoom> {
    // gjoin of a one-to-one chat and Gitter's notice of that new chat arrive together: both must find one portal.
    const start = typeof startAfter === "function" ? startAfter : () => Promise.resolve(startAfter);
    return this.turns.open(room.id, async () => this.open(room, await start()));
  }

  /** Opens the portal (see ensurePortal) and lets the user into its Matrix room if they are not in it: gjoin, invite. */
  async openForOwner(room: NetworkRoom): Promise<OwnerMembership> {
    const portal = await this.ensurePortal(room);
    return inviteOwner(this.ctx, portal, room);
  }

  private async open(room: NetworkRoom, startAfter?: string): Promise<PortalRoom> {
    const { portal, created } = await openPortal(this.ctx, room, startAfter);
    this.attach(portal);
    this.roomList.opened(room.id);
    if (created) {
      void populateMembers(this.ctx, portal).catch((err: Error) =>
        log.warn("populating a portal failed", { room: portal.matrixRoomId, error: err }),
      );
    }
    return this.portals.get(room.id)!;
  }

  /**
   * Stops bridging a room (logout, or the user left it in Matrix or on Gitter). The Matrix room is kept for the
   * portal's next opening (see portal-reopen.ts).
   */
  async closePortal(gitterRoomId: string, reason: string): Promise<void> {
    // gpart hides a one-to-one, and Gitter's patch saying it is hidden closes it too: once is enough. A close while
    // the portal is being opened (gpart of a room whose portal the session's start is still making) waits for the
    // opening: closing first would find nothing to close, and the opening would then let the user in.
    return this.turns.close(gitterRoomId, () => this.close(gitterRoomId, reason));
  }

  private async close(gitterRoomId: string, reason: string): Promise<void> {
    const portal = this.portals.get(gitterRoomId);
    this.portals.delete(gitterRoomId);
    this.realtime?.unwatch(gitterRoomId);
    const row = portal?.row ?? (await this.ctx.store.portals.getPortal(this.mxid, gitterRoomId));
    if (!row) return;
    // Before the kick: Gitter's unread push reopening a hidden one-to-one may come while the kick is on its way (the
    // reopen then waits for this close, see room-turns.ts).
    this.roomList.closed(gitterRoomId, row.oneToOne);
    await closePortalRoom(this.ctx, row, reason);
    log.info("portal closed", { mxid: this.mxid, gitterRoom: gitterRoomId, room: row.matrixRoomId, reason });
  }

  /** The owner left the portal's Matrix room: closes the portal, unless a gjoin or invite let them back in meanwhile. */
  async ownerLeft(gitterRoomId: string): Promise<void> {
    const portal = this.portals.get(gitterRoomId);
    if (portal) {
      const bot = this.ctx.matrix.as(this.ctx.ids.botMxid);
      const member = await bot.getStateEvent(portal.matrixRoomId, "m.room.member", this.mxid).catch(() => null);
      if (member && member.membership !== "leave") return;
    }
    await this.closePortal(gitterRoomId, "You left the Matrix room; it is no longer bridged.");
  }

  /** A message the owner sent in one of their portals. */
  async fromMatrix(event: MatrixRoomEvent): Promise<void> {
    await this.loaded;
    const portal = this.portalByMatrixRoom(event.room_id);
    if (portal) await portal.fromMatrix(event);
    // Its portal was closed meanwhile (the room left on Gitter while the bridge was down): the notice in the room
    // says so, and nothing goes to Gitter, which would take it into a public room from a non-member.
    else log.info("not sent to Gitter: the room is no longer bridged", { mxid: this.mxid, room: event.room_id, event: event.event_id });
  }

  private attach(portal: PortalRoom): void {
    const { gitterRoomId, lastGitterMessageId } = portal.row;
    if (this.portals.has(gitterRoomId)) return;
    this.portals.set(gitterRoomId, portal);
    this.realtime?.watch(gitterRoomId, lastGitterMessageId);
  }

  private onState(state: string): void {
    this.connection = state;
    log.info(`${this.ctx.networkName} connection`, { mxid: this.mxid, state });
    if (state === "token-invalid") this.hooks.onTokenInvalid(this);
  }
}
