// Who each Faye client is. faye itself only knows client ids; Gitter ties each one to the user and token of
// its handshake, and needs that link to authorise subscriptions, count deliveries and drop connections.
import type { FayeEngine } from "./realtime-faye-types";
import { roomOfChannel } from "./realtime-channels";

export interface FayeClientInfo {
  clientId: string;
  userId: string;
  token: string;
  engine: FayeEngine;
  /** Last `ext.c` sequence number delivered to this client. */
  seq: number;
  channels: Set<string>;
}

export class FayeClientRegistry {
  private readonly byId = new Map<string, FayeClientInfo>();

  add(clientId: string, userId: string, token: string, engine: FayeEngine): void {
    this.byId.set(clientId, { clientId, userId, token, engine, seq: 0, channels: new Set() });
  }

  get(clientId: string | undefined): FayeClientInfo | undefined {
    return clientId ? this.byId.get(clientId) : undefined;
  }

  delete(clientId: string): void {
    this.byId.delete(clientId);
  }

  size(): number {
    return this.byId.size;
  }

  /** Live clients per user id (a frugal client holds one per user). */
  perUser(): Map<string, number> {
    const out = new Map<string, number>();
    for (const c of this.byId.values()) out.set(c.userId, (out.get(c.userId) ?? 0) + 1);
    return out;
  }

  /** Drops clients the way Gitter does: faye releases the id and closes its socket or pending long-poll. */
  destroy(filter: (c: FayeClientInfo) => boolean = () => true): number {
    const doomed = [...this.byId.values()].filter(filter);
    for (const c of doomed) {
      this.byId.delete(c.clientId);
      c.engine.destroyClient(c.clientId);
    }
    return doomed.length;
  }

  /** Stops a user's subscriptions to one room's channels, as Gitter does when the user leaves it. */
  unsubscribeFromRoom(userId: string, roomId: string): void {
    for (const c of this.byId.values()) {
      if (c.userId !== userId) continue;
      for (const channel of [...c.channels]) {
        if (roomOfChannel(channel) === roomId) c.engine.unsubscribe(c.clientId, channel);
      }
    }
  }
}
