// Routes each Matrix event from the transaction inbox to the part of the bridge it concerns:
// invites of the bot and control-room commands to ControlRooms, the owner's messages, redactions and leaves in a
// portal to their session, read receipts to the read markers, invites of ghosts to direct chats, encryption (which
// the bridge cannot read) to EncryptedRooms. Events sent by the bridge's own users are ignored (they are our echoes).
import type { MatrixIds } from "../matrix/ids";
import type { Store } from "../store/store";
import type { ControlRooms } from "./control";
import type { DirectChats } from "./direct-chats";
import type { EncryptedRooms } from "./encryption";
import type { SessionManager } from "./manager";
import type { MatrixRoomEvent } from "./portal";
import { redactedEventId } from "./portal-edits";
import type { ReadMarkers } from "./read-markers";

export interface RouterDeps {
  ids: MatrixIds;
  store: Store;
  control: ControlRooms;
  sessions: SessionManager;
  readMarkers?: ReadMarkers;
  directChats?: DirectChats;
  /** Encryption turned on, and encrypted messages, in portals and control rooms: said, since they cannot be read. */
  encryption?: EncryptedRooms;
  /** Whether bridge.permissions lets `mxid` use the bridge; a portal owner taken out of it is told so. */
  mayUse?: (mxid: string) => boolean;
}

/** Portal events the owner's session bridges: messages (new ones and edits), reactions and redactions. */
const PORTAL_EVENTS = new Set(["m.room.message", "m.reaction", "m.room.redaction"]);

export function isRoomEvent(e: Record<string, unknown>): e is Record<string, unknown> & MatrixRoomEvent {
  return (
    typeof e.event_id === "string" &&
    typeof e.room_id === "string" &&
    typeof e.sender === "string" &&
    typeof e.type === "string" &&
    typeof e.content === "object" &&
    e.content !== null
  );
}

export function createRouter(deps: RouterDeps): (raw: Record<string, unknown>) => Promise<void> {
  return async (raw) => {
    // Receipts are ephemeral: no event id, no sender.
    if (raw.type === "m.receipt") return deps.readMarkers?.onReceipt(raw);
    if (!isRoomEvent(raw) || deps.ids.isOurs(raw.sender)) return;
    const event = raw as MatrixRoomEvent & { state_key?: string };
    if (event.type === "m.room.member") return onMember(deps, event);
    if (event.type === "m.room.encryption") return deps.encryption?.onEncryptionState(event);
    if (event.type === "m.room.encrypted") return deps.encryption?.onEncryptedEvent(event);
    if (!PORTAL_EVENTS.has(event.type)) return;
    if (event.type === "m.room.message" && (await deps.control.onMessage(event))) return;
    const portal = await deps.store.portals.getPortalByMatrixRoom(event.room_id);
    if (!portal || portal.mxid !== event.sender) return;
    const session = await deps.sessions.sessionFor(event.sender);
    if (session) return session.fromMatrix(event);
    // A reaction with no session is left as it is: it was never bridged, and a notice for each would be noise.
    if (event.type === "m.reaction") return;
    // With no session to take it to Gitter, a redaction still withdraws the files its message shared.
    const redacts = event.type === "m.room.redaction" ? redactedEventId(event) : null;
    if (redacts !== null) await deps.store.media.unshareEvent(event.room_id, redacts);
    const about = { cause: event.event_id, purpose: "not-bridged" };
    await deps.control.say(event.room_id, about, deps.mayUse?.(event.sender) === false ? NOT_ALLOWED : NOT_RUNNING);
  };
}

const NOT_RUNNING = "This message was not sent to Gitter: you are not logged in to Gitter. Send `login` to the bot to log in again.";
const NOT_ALLOWED = "This message was not sent to Gitter: this Gitter bridge is no longer open to your Matrix account.";

async function onMember(deps: RouterDeps, event: MatrixRoomEvent & { state_key?: string }): Promise<void> {
  const membership = event.content.membership;
  if (membership === "invite" && event.state_key === deps.ids.botMxid) return deps.control.onInvite(event);
  if (membership === "invite" && typeof event.state_key === "string" && deps.ids.isGhost(event.state_key)) {
    return deps.directChats?.onGhostInvite({ ...event, state_key: event.state_key });
  }
  if (membership !== "leave" || event.state_key !== event.sender) return;
  await deps.control.onLeave(event);
  const portal = await deps.store.portals.getPortalByMatrixRoom(event.room_id);
  if (portal && portal.mxid === event.sender) {
    await deps.sessions.session(event.sender)?.ownerLeft(portal.gitterRoomId);
  }
}
