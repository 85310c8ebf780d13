// Starting a one-to-one Gitter chat from Matrix: the user makes a direct room and invites the ghost of a Gitter
// user. The ghost joins, the bridge opens (or finds) the one-to-one on Gitter (the network client's `openDirect`),
// invites the bot, and the room becomes that chat's portal. Chats started on Gitter arrive the other way, through the
// session's room list (portal-setup.ts makes a direct room for them). The bridge cannot read an encrypted room, so
// an encrypted direct room is refused, with the reason, rather than bridged one way.
import type { Permission } from "../commands/types";
import type { MatrixClient } from "../matrix/client";
import type { MatrixIds } from "../matrix/ids";
import { isNetworkError } from "../network/errors";
import type { NetworkRoom } from "../network/types";
import type { Store } from "../store/store";
import type { EncryptionMetrics } from "../metrics";
import { getLogger } from "../util/log";
import { directChatRefused } from "./encryption";
import type { GhostManager } from "./ghosts";
import { noticeSender, type NoticeAbout, type SayNotice } from "./notices";
import type { MatrixRoomEvent } from "./portal";
import type { SessionContext } from "./session-context";

const log = getLogger("direct-chats");

export interface DirectChatDeps {
  matrix: MatrixClient;
  ids: MatrixIds;
  store: Store;
  ghosts: GhostManager;
  permissionFor(mxid: string): "none" | Permission;
  /** Tells a user something in their control room; never throws. */
  tell(mxid: string, about: NoticeAbout, text: string): Promise<void>;
  metrics?: EncryptionMetrics;
  /** The user's running session: its context, and a way to start bridging a portal row just stored. */
  sessionOf(mxid: string): DirectChatSession | undefined;
}

export interface DirectChatSession {
  ctx: SessionContext;
  ensurePortal(room: NetworkRoom): Promise<unknown>;
  /** Usernames whose one-to-one is being adopted, so the session leaves Gitter's push about it to us. */
  adoptingDirect: Set<string>;
}

type Invite = MatrixRoomEvent & { state_key: string };

export class DirectChats {
  private readonly notice: SayNotice;

  constructor(private readonly deps: DirectChatDeps) {
    this.notice = noticeSender(deps.matrix, deps.ids.botMxid);
  }

  /**
   * A ghost was invited somewhere. Portals are left alone (the bridge manages their ghosts); a direct room becomes
   * the portal of the one-to-one with that Gitter user, when the inviter may use the bridge, the room is not
   * encrypted and that user exists. An inviter the bridge does not serve has the invite turned down, nothing more;
   * any other refusal is said in the room by the ghost, which then leaves. May throw (homeserver or Gitter
   * unreachable).
   */
  async onGhostInvite(event: Invite): Promise<void> {
    const username = this.deps.ids.parseGhost(event.state_key);
    if (username === null || (await this.deps.store.portals.getPortalByMatrixRoom(event.room_id))) return;
    const ghost = this.deps.matrix.as(event.state_key);
    if (this.deps.permissionFor(event.sender) === "none") return this.decline(event);
    // The homeserver lets anyone invite an id in our namespace; the ghost must exist to answer at all.
    await this.deps.matrix.registerUser(this.deps.ids.ghostLocalpart(username));
    if (event.content.is_direct !== true) {
      await ghost.leave(event.room_id, "I only join direct chats.").catch(() => undefined);
      return;
    }
    await ghost.join(event.room_id);
    if ((await ghost.getStateEvent(event.room_id, "m.room.encryption")) !== null) return this.refuseEncrypted(event, username);
    const refusal = await this.tryOpen(event, username);
    if (refusal === null) return;
    await this.say(event, "direct-refused", refusal);
    await ghost.leave(event.room_id).catch(() => undefined);
  }

  /**
   * Turns the invite down as the ghost, and does nothing else for someone the bridge does not serve: no
   * registration, no join, no profile. A ghost never registered cannot even do that (the homeserver acts only as
   * users it knows), so its invite stays unanswered, which costs nobody anything.
   */
  private async decline(event: Invite): Promise<void> {
    await this.deps.matrix
      .as(event.state_key)
      .leave(event.room_id, "This Gitter bridge is not open to your Matrix account.")
      .catch((err: Error) => log.debug("could not turn down an invite", { room: event.room_id, ghost: event.state_key, error: err }));
    log.info("invite from a user the bridge does not serve turned down", { mxid: event.sender, room: event.room_id });
  }

  /** An encrypted room could never carry the user's messages to Gitter: said in the room and the control room. */
  private async refuseEncrypted(event: Invite, username: string): Promise<void> {
    this.deps.metrics?.encrypted("direct_chat_refused");
    const { inRoom, told } = directChatRefused(username, event.room_id);
    await this.say(event, "direct-encrypted", inRoom);
    await this.deps.tell(event.sender, { cause: event.event_id, purpose: "direct-encrypted-told" }, told);
    await this.deps.matrix.as(event.state_key).leave(event.room_id).catch(() => undefined);
    log.info("encrypted direct chat refused", { mxid: event.sender, room: event.room_id, ghost: event.state_key });
  }

  /** Opens the one-to-one; returns why not, for the person, or null once the room is a portal. */
  private async tryOpen(event: Invite, username: string): Promise<string | null> {
    const mxid = event.sender;
    const session = this.deps.sessionOf(mxid);
    if (!session) return `You are not logged in to Gitter. Talk to ${this.deps.ids.botMxid} to log in, then invite me again.`;
    // Claimed before asking Gitter, which announces a new one-to-one as soon as it makes it.
    const key = username.toLowerCase();
    session.adoptingDirect.add(key);
    try {
      return await this.openFor(session, event, username);
    } finally {
      session.adoptingDirect.delete(key);
    }
  }

  private async openFor(session: DirectChatSession, event: Invite, username: string): Promise<string | null> {
    const mxid = event.sender;
    let room: NetworkRoom;
    try {
      room = await session.ctx.network.openDirect([username]);
    } catch (err) {
      if (isNetworkError(err, "not-found") || isNetworkError(err, "rejected") || isNetworkError(err, "forbidden")) {
        return `There is no Gitter user ${username} you can chat with, so this room cannot be bridged.`;
      }
      throw err;
    }
    const existing = await this.deps.store.portals.getPortal(mxid, room.id);
    if (existing) {
      await this.deps.matrix.as(this.deps.ids.botMxid).invite(existing.matrixRoomId, mxid).catch(() => undefined);
      return `You already have a chat with ${username} in another room (${existing.matrixRoomId}); I invited you back there.`;
    }
    await this.adopt(session, event, room);
    return null;
  }

  /** Makes the room the portal: the bot joins for notices, the row is stored, and the session starts bridging it. */
  private async adopt(session: DirectChatSession, event: Invite, room: NetworkRoom): Promise<void> {
    const bot = this.deps.ids.botMxid;
    await this.deps.matrix.as(event.state_key).invite(event.room_id, bot);
    await this.deps.matrix.as(bot).join(event.room_id);
    const other = room.others?.[0];
    if (other) await this.deps.ghosts.ensure(other);
    this.deps.ghosts.noteJoined(event.room_id, [event.state_key, bot]);
    const start = await session.ctx.network.startCursor(room.id);
    await this.deps.store.portals.putPortal({
      mxid: event.sender,
      gitterRoomId: room.id,
      matrixRoomId: event.room_id,
      oneToOne: true,
      lastGitterMessageId: start,
    });
    await session.ensurePortal(room);
    log.info("direct chat opened from Matrix", { mxid: event.sender, gitterRoom: room.id, room: event.room_id });
  }

  /** The invited ghost answers the invite in the room; never throws. */
  private async say(invite: Invite, purpose: string, text: string): Promise<void> {
    await this.notice(invite.room_id, { cause: invite.event_id, purpose }, text, { from: invite.state_key });
  }
}
