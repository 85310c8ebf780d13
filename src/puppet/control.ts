// The control room: a one-to-one room between a user and the bot, where commands are typed.
// The bot accepts only one-to-one, unencrypted invites from permitted users; a newer control room replaces the older.
import { carriesSecret, dispatch } from "../commands/dispatch";
import { loginInvitation } from "../commands/login-texts";
import { fill } from "../commands/words";
import type { CommandServices, Permission } from "../commands/types";
import type { MatrixClient, RoomEvent } from "../matrix/client";
import type { MatrixIds } from "../matrix/ids";
import type { Store } from "../store/store";
import type { EncryptionMetrics } from "../metrics";
import { getLogger } from "../util/log";
import { CONTROL_KEPT, controlRefused, hasEncryption } from "./encryption";
import { noticeSender, type NoticeAbout, type SayNotice } from "./notices";
import type { MatrixRoomEvent } from "./portal";

const log = getLogger("control");

export interface ControlDeps {
  matrix: MatrixClient;
  ids: MatrixIds;
  store: Store;
  services: CommandServices;
  permissionFor(mxid: string): "none" | Permission;
  metrics?: EncryptionMetrics;
}

// Texts in the network's words (commands/words.ts): "Gitter bridge", "each Gitter room" on Gitter.
const NOT_OPEN = "Sorry, this {network} bridge is not open to your Matrix account. Ask its operator if you think it should be.";

const GREETING =
  "Hello! I bridge {network} to Matrix: log in with your own {network} account, and each {network} {room} you are in " +
  "becomes a private Matrix room of yours, with the people there shown as Matrix users. Send `help` for commands.";

const NOT_REMOVED = "I could not remove your message with the token: please delete it yourself.";

/** Tells a user something in their control room, if they have one; never throws. */
export type TellUser = (mxid: string, about: NoticeAbout, text: string, html?: string) => Promise<void>;

/** The control-room teller, for parts built before the control rooms (it needs only the users and a sender). */
export function controlRoomTeller(users: Store["users"], say: SayNotice): TellUser {
  return async (mxid, about, text, html) => {
    const user = await users.getUser(mxid).catch(() => null);
    if (user?.controlRoomId) await say(user.controlRoomId, about, text, { html });
    else log.info("no control room to tell the user", { mxid });
  };
}

/**
 * Whether an inbox event is a message carrying a secret (`login token <token>`), as itself or as an edit's new
 * content: the inbox wipes its bytes once it is handled (InboxProcessor `carriesSecret`).
 */
export function eventCarriesSecret(event: { type?: unknown; content?: unknown }): boolean {
  if (event.type !== "m.room.message" || !isRecord(event.content)) return false;
  const edited = event.content["m.new_content"];
  return [event.content.body, isRecord(edited) ? edited.body : undefined].some((b) => typeof b === "string" && carriesSecret(b));
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export class ControlRooms {
  private readonly notice: SayNotice;
  private readonly teller: TellUser;

  constructor(private readonly deps: ControlDeps) {
    this.notice = noticeSender(deps.matrix, deps.ids.botMxid);
    this.teller = controlRoomTeller(deps.store.users, this.notice);
  }

  private get bot(): MatrixClient {
    return this.deps.matrix.as(this.deps.ids.botMxid);
  }

  /** Sends a notice from the bot (see notices.ts for `about`); never throws. */
  async say(roomId: string, about: NoticeAbout, text: string, html?: string): Promise<void> {
    await this.notice(roomId, about, text, { html });
  }

  /** Tells a user something in their control room, if they have one; never throws. */
  async tell(mxid: string, about: NoticeAbout, text: string, html?: string): Promise<void> {
    await this.teller(mxid, about, text, html);
  }

  /**
   * The bot was invited somewhere. For someone the bridge does not serve, or a room refused before, the invite is
   * only turned down: no join, nothing else done as the bot. An encrypted room is refused and the control room kept.
   */
  async onInvite(event: MatrixRoomEvent): Promise<void> {
    const { room_id: roomId, sender, event_id: cause } = event;
    if (await this.deps.store.refusals.isRefused(roomId)) return this.decline(roomId, "This room was refused before.");
    if (this.deps.permissionFor(sender) === "none") return this.decline(roomId, this.words(NOT_OPEN));
    await this.bot.join(roomId);
    const state = await this.bot.getRoomState(roomId);
    if (this.otherPeople(state).length > 1) {
      await this.say(roomId, { cause, purpose: "one-to-one-only" }, "I only work in one-to-one rooms: each person talks to me in their own direct chat. Leaving now; invite me to a direct chat instead.");
      await this.bot.leave(roomId);
      await this.deps.store.refusals.refuseRoom(roomId, "more than one person");
      return;
    }
    if (hasEncryption(state)) return this.refuseEncrypted(sender, roomId, cause);
    await this.adopt(sender, roomId, cause);
  }

  /** Rejects an invite, the reason carried by the rejection; never throws. */
  private async decline(roomId: string, reason: string): Promise<void> {
    await this.bot.leave(roomId, reason).catch((err: Error) => log.warn("could not turn down an invite", { room: roomId, error: err }));
  }

  /** The bot cannot read an encrypted room, so taking it would leave the user unanswered: the old one is kept. */
  private async refuseEncrypted(mxid: string, roomId: string, cause: string): Promise<void> {
    this.deps.metrics?.encrypted("control_room_refused");
    const current = (await this.deps.store.users.getUser(mxid))?.controlRoomId ?? null;
    const kept = current !== null && current !== roomId ? current : null;
    await this.say(roomId, { cause, purpose: "encrypted-refused" }, controlRefused(kept));
    if (kept) await this.say(kept, { cause, purpose: "control-kept" }, CONTROL_KEPT);
    await this.bot.leave(roomId).catch(() => undefined);
    log.info("encrypted room refused as a control room", { mxid, room: roomId, kept });
  }

  private async adopt(mxid: string, roomId: string, cause: string): Promise<void> {
    const previous = await this.deps.store.users.setControlRoom(mxid, roomId);
    if (previous && previous !== roomId) {
      await this.say(previous, { cause, purpose: "control-moved" }, "You opened a new chat with me; I continue there and leave this one.");
      await this.bot.leave(previous).catch(() => undefined);
    }
    const { services } = this.deps;
    const greeting = this.words(GREETING);
    const status = await services.status(mxid);
    if (status.loggedIn) {
      await this.say(roomId, { cause, purpose: "greeting" }, `${greeting}\n${this.words("You are logged in to {network} as")} ${status.gitterUsername}.`);
      return;
    }
    const link = services.offersLinkLogin() ? await services.loginLink(mxid) : undefined;
    const start = loginInvitation(services.network, { link, token: services.offersTokenLogin() });
    await this.say(roomId, { cause, purpose: "greeting" }, `${greeting}\n${start.text}`, `<p>${greeting.replace("`help`", "<code>help</code>")}</p>${start.html}`);
    log.info("control room adopted", { mxid, room: roomId });
  }

  /** `text` in the words of the network the bridge serves. */
  private words(text: string): string {
    return fill(text, this.deps.services.network);
  }

  /** People other than the bot who are joined or invited. */
  private otherPeople(state: RoomEvent[]): string[] {
    return state
      .filter((e) => e.type === "m.room.member" && ["join", "invite"].includes(String(e.content.membership)))
      .map((e) => String(e.state_key))
      .filter((m) => m !== this.deps.ids.botMxid);
  }

  /** A message in some room; returns false when it was not a control room message for this user. */
  async onMessage(event: MatrixRoomEvent): Promise<boolean> {
    const owner = await this.deps.store.users.getUserByControlRoom(event.room_id);
    if (!owner || owner.mxid !== event.sender) return false;
    const body = event.content.body;
    if (typeof body !== "string" || !["m.text", "m.notice"].includes(String(event.content.msgtype))) return true;
    // An edit putting a token into a message carries it too (in its new content and its fallback body).
    const removed = eventCarriesSecret(event) ? await this.removeSecret(event) : true;
    const permission = this.deps.permissionFor(event.sender);
    if (permission === "none") {
      await this.say(event.room_id, { cause: event.event_id, purpose: "not-open" }, this.words(NOT_OPEN));
      return true;
    }
    const loggedIn = (await this.deps.services.status(event.sender)).loggedIn;
    const reply = await dispatch({ mxid: event.sender, permission, loggedIn, services: this.deps.services }, body);
    const text = removed ? reply.text : `${reply.text}\n${NOT_REMOVED}`;
    await this.say(event.room_id, { cause: event.event_id, purpose: "reply" }, text, removed ? reply.html : undefined);
    return true;
  }

  /**
   * Redacts a message carrying a token, before anything else is done with it (even when the token turns out
   * wrong). The bot needs the power to redact others' messages in the room; without it the person is told to
   * delete the message. Never throws; true when it is gone.
   */
  private async removeSecret(event: MatrixRoomEvent): Promise<boolean> {
    try {
      await this.bot.redact(event.room_id, event.event_id, `secret-${event.event_id}`, "It carried a login token.");
      return true;
    } catch (err) {
      log.warn("could not redact a message carrying a token", { room: event.room_id, event: event.event_id, error: err as Error });
      return false;
    }
  }

  /** The owner left their control room: forget it. */
  async onLeave(event: MatrixRoomEvent): Promise<void> {
    const owner = await this.deps.store.users.getUserByControlRoom(event.room_id);
    if (!owner || owner.mxid !== event.sender) return;
    await this.deps.store.users.setControlRoom(owner.mxid, null);
    await this.bot.leave(event.room_id).catch(() => undefined);
  }
}
