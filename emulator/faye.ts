// Gitter's Faye/Bayeux realtime server (API reference section 5), mounted at /bayeux and at the legacy /faye
// like ws.gitter.im. The state's "live" events become `{operation, model}` pushes on Gitter's channels.
// faye's memory engine does the queueing; we wrap its per-client delivery to stamp `ext.c` sequence numbers
// and to hold back room traffic from users who are no longer members.
import type http from "node:http";
import type { Duplex } from "node:stream";
import type { LiveEvent } from "./live";
import { channels, roomOfChannel } from "./realtime-channels";
import { FayeClientRegistry } from "./realtime-clients";
import { GitterFayeExtension } from "./realtime-faye-auth";
import { createAdapter, type BayeuxMessage, type FayeEngine, type NodeAdapter } from "./realtime-faye-types";
import type { RealtimeState } from "./realtime-state";

export interface FayeOptions {
  /** Seconds a long-poll is held, and half the idle time before faye drops a silent client. Gitter: 120. */
  timeoutSec?: number;
  /** The same for the legacy /faye mount. Gitter: 300. */
  legacyTimeoutSec?: number;
  /** Seconds between WebSocket pings. Gitter: 40. */
  pingSec?: number;
}

export interface FayeHandle {
  /** Number of handshaken clients that have not been destroyed yet. */
  clientCount(): number;
  /** Handshaken clients per user id. */
  clientsPerUser(): Map<string, number>;
  /** Stops routing, answers pending long-polls and forgets every client. Never throws. */
  close(): void;
}

/**
 * Attaches Faye to `server`. Call it after the server's own request handler is installed: faye takes over
 * the request and upgrade listeners and passes on everything outside its mounts.
 */
export function attachFaye(server: http.Server, state: RealtimeState, opts: FayeOptions = {}): FayeHandle {
  const clients = new FayeClientRegistry();
  const ping = opts.pingSec ?? 40;
  const adapters = [
    createAdapter("/bayeux", opts.timeoutSec ?? 120, ping),
    createAdapter("/faye", opts.legacyTimeoutSec ?? opts.timeoutSec ?? 300, ping),
  ];
  for (const adapter of adapters) {
    wireAdapter(adapter, state, clients);
    adapter.attach(server);
  }
  const sockets = trackUpgrades(server);
  const router = new LiveRouter(adapters.map((a) => a._server._engine), clients);
  const onLive = (e: LiveEvent) => router.route(e);
  state.on("live", onLive);
  return {
    clientCount: () => clients.size(),
    clientsPerUser: () => clients.perUser(),
    close() {
      state.off("live", onLive);
      clients.destroy();
      for (const adapter of adapters) adapter.close();
      // server.close() neither waits for nor ends upgraded sockets, and a stock client may leave one open.
      for (const socket of sockets) socket.destroy();
    },
  };
}

function trackUpgrades(server: http.Server): Set<Duplex> {
  const sockets = new Set<Duplex>();
  server.on("upgrade", (_req: http.IncomingMessage, socket: Duplex) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  return sockets;
}

function wireAdapter(adapter: NodeAdapter, state: RealtimeState, clients: FayeClientRegistry): void {
  const engine = adapter._server._engine;
  adapter.addExtension(new GitterFayeExtension(state, clients, engine));
  adapter.on("disconnect", (clientId) => clients.delete(clientId));
  adapter.on("subscribe", (clientId, channel) => clients.get(clientId)?.channels.add(channel));
  adapter.on("unsubscribe", (clientId, channel) => clients.get(clientId)?.channels.delete(channel));

  const deliver = engine.deliver.bind(engine);
  // faye calls this with `undefined` when a connecting client has nothing queued.
  engine.deliver = (clientId: string, messages: BayeuxMessage[] | undefined) => {
    const client = clients.get(clientId);
    if (!client || !messages) return deliver(clientId, messages);
    const kept = messages.filter((m) => {
      const roomId = roomOfChannel(m.channel);
      return roomId === undefined || state.canRead(client.userId, roomId);
    });
    for (const m of kept) {
      if (!m.channel.startsWith("/meta/")) m.ext = { ...m.ext, c: ++client.seq };
    }
    return deliver(clientId, kept);
  };
}

/** Turns state events into channel publishes and connection drops, on every mount. */
class LiveRouter {
  private nextId = 0;

  constructor(
    private readonly engines: FayeEngine[],
    private readonly clients: FayeClientRegistry,
  ) {}

  route(e: LiveEvent): void {
    switch (e.kind) {
      case "chat":
        return this.publish(channels.chatMessages(e.roomId), { operation: e.operation, model: e.model });
      case "userRooms":
        return this.publish(channels.userRooms(e.userId), { operation: e.operation, model: e.model });
      case "roomUsers":
        this.publish(channels.roomUsers(e.roomId), { operation: e.operation, model: e.model });
        if (e.operation === "remove" && typeof e.model.id === "string") {
          this.clients.unsubscribeFromRoom(e.model.id, e.roomId);
        }
        return;
      case "tokenRevoked":
        this.publish(channels.token(e.token), { notification: "token_revoked" });
        this.clients.destroy((c) => c.token === e.token);
        return;
      case "cutConnections":
        this.clients.destroy();
        return;
    }
  }

  private publish(channel: string, data: unknown): void {
    const id = String(++this.nextId);
    for (const engine of this.engines) engine.publish({ channel, data, id });
  }
}
