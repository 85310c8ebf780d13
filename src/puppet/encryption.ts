// The bridge holds no Matrix encryption keys, so it cannot read an encrypted room: whatever is sent there would be
// lost without a word. Until it can decrypt, it says so instead. In a portal or a control room, the moment
// encryption is turned on (in that room, and for a portal in the owner's control room too), and for each encrypted
// message it could not bridge (one notice per room every NOTICE_EVERY_MS at most, however many arrive). Encrypted
// rooms are never taken as control rooms or direct chats (control.ts and direct-chats.ts refuse them with the texts
// below). Every case is counted in gitter_bridge_encrypted_events_total.
import type { EncryptionMetrics } from "../metrics";
import type { Store } from "../store/store";
import { getLogger } from "../util/log";
import type { NoticeAbout } from "./notices";
import type { MatrixRoomEvent } from "./portal";

const log = getLogger("encryption");

/** At most one notice about undelivered encrypted messages per room in this time. */
export const NOTICE_EVERY_MS = 10 * 60_000;
/** Rooms remembered for the rate limit before the stale ones are forgotten. */
const REMEMBERED_ROOMS = 10_000;

const CANNOT_READ = "The Gitter bridge cannot read encrypted messages";
const FRESH_PORTAL = "Encryption cannot be turned off again: to keep chatting, leave this room and send `open <room or username>` to the bot for a new room without encryption.";

export const PORTAL_ENCRYPTED = `Encryption was turned on in this room. ${CANNOT_READ}, so what you send here no longer reaches Gitter (messages from Gitter still arrive). ${FRESH_PORTAL}`;
export const CONTROL_ENCRYPTED = `Encryption was turned on in this room. ${CANNOT_READ}, so I will not see your commands here. Start a new direct chat with me without encryption, and I will answer there.`;
const PORTAL_MESSAGE = `An encrypted message was not sent to Gitter: ${CANNOT_READ}. ${FRESH_PORTAL}`;
const CONTROL_MESSAGE = `I cannot read encrypted messages, so I did not see that. Start a new direct chat with me without encryption, and I will answer there.`;
export const CONTROL_KEPT = "You invited me to an encrypted room. I cannot read encrypted messages, so I would never see your commands there: I did not move, and keep answering you here.";

export function portalEncryptedTold(roomId: string): string {
  return `Encryption was turned on in ${roomId}, one of your Gitter rooms. ${CANNOT_READ}, so what you send there no longer reaches Gitter. Leave that room and send \`open <room or username>\` here for a new room without encryption.`;
}

/** What the bot says in an encrypted room it was invited to as a control room; `kept` is the control room it stays in. */
export function controlRefused(kept: string | null): string {
  const where = kept
    ? `I stay in our other chat (${kept}), which keeps working.`
    : "Start a new direct chat with me without encryption, and I will answer there.";
  return `This room is encrypted. ${CANNOT_READ}, so I would never see your commands here. ${where} Leaving this room now.`;
}

/** What a ghost says in an encrypted direct chat it was invited to, and what the owner's control room is told. */
export function directChatRefused(username: string, roomId: string): { inRoom: string; told: string } {
  return {
    inRoom: `This room is encrypted. ${CANNOT_READ}, so nothing you write here would reach ${username} on Gitter. Send \`gjoin ${username}\` to the bot, or start a direct chat with me without encryption. Leaving this room now.`,
    told: `You started an encrypted direct chat with ${username} (${roomId}). ${CANNOT_READ}, so it is not bridged. Send \`gjoin ${username}\` here for a chat with ${username} that works, or start one without encryption.`,
  };
}

/** Whether a room's state (the full state, or an invite's stripped state) turns encryption on. */
export function hasEncryption(state: readonly Record<string, unknown>[]): boolean {
  return state.some((e) => e.type === "m.room.encryption" && (e.state_key ?? "") === "");
}

export interface EncryptionDeps {
  store: Store;
  /** Sends a notice from the bot; never throws. */
  say(roomId: string, about: NoticeAbout, text: string): Promise<void>;
  /** Tells a user something in their control room; never throws. */
  tell(mxid: string, about: NoticeAbout, text: string): Promise<void>;
  metrics?: EncryptionMetrics;
  now?: () => number;
}

export class EncryptedRooms {
  /** When each room was last told about encryption. */
  private readonly lastNotice = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly deps: EncryptionDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** An m.room.encryption state event: a portal's or control room's owner hears at once. May throw (store). */
  async onEncryptionState(event: MatrixRoomEvent & { state_key?: string }): Promise<void> {
    if (event.state_key !== "") return;
    const roomId = event.room_id;
    const portal = await this.deps.store.portals.getPortalByMatrixRoom(roomId);
    const owner = portal?.mxid ?? (await this.deps.store.users.getUserByControlRoom(roomId))?.mxid;
    if (!owner) return;
    this.deps.metrics?.encrypted("room_encrypted");
    log.warn("encryption turned on in a room the bridge cannot read", { mxid: owner, room: roomId, portal: !!portal });
    await this.deps.say(roomId, { cause: event.event_id, purpose: "encrypted" }, portal ? PORTAL_ENCRYPTED : CONTROL_ENCRYPTED);
    if (portal) await this.deps.tell(owner, { cause: event.event_id, purpose: "encrypted-told" }, portalEncryptedTold(roomId));
  }

  /** An m.room.encrypted event from a portal's or control room's owner: counted, and said (rate-limited). */
  async onEncryptedEvent(event: MatrixRoomEvent): Promise<void> {
    const roomId = event.room_id;
    const portal = await this.deps.store.portals.getPortalByMatrixRoom(roomId);
    let text: string | null = null;
    if (portal) text = portal.mxid === event.sender ? PORTAL_MESSAGE : null;
    else if ((await this.deps.store.users.getUserByControlRoom(roomId))?.mxid === event.sender) text = CONTROL_MESSAGE;
    if (text === null) return;
    this.deps.metrics?.encrypted("message");
    log.info("encrypted message not bridged", { mxid: event.sender, room: roomId, event: event.event_id });
    if (this.due(roomId)) await this.deps.say(roomId, { cause: event.event_id, purpose: "encrypted-message" }, text);
  }

  private due(roomId: string): boolean {
    const now = this.now();
    const last = this.lastNotice.get(roomId);
    if (last !== undefined && now - last < NOTICE_EVERY_MS) return false;
    if (this.lastNotice.size >= REMEMBERED_ROOMS) {
      for (const [room, at] of this.lastNotice) if (now - at >= NOTICE_EVERY_MS) this.lastNotice.delete(room);
    }
    this.lastNotice.set(roomId, now);
    return true;
  }
}
