// The slice of the `faye` package the emulator uses, typed by hand: the package ships no type declarations.
// Besides the public adapter API this names the server's engine (`_server._engine`), because faye offers no
// public way to drop a client or stamp per-client data; Gitter's own cluster code reaches in the same way.
import type http from "node:http";

/** A Bayeux message as faye passes it through extensions. */
export interface BayeuxMessage {
  channel: string;
  clientId?: string;
  id?: string;
  data?: unknown;
  subscription?: string | string[];
  successful?: boolean;
  error?: string;
  advice?: Record<string, unknown>;
  ext?: Record<string, unknown>;
  /** Carried from an incoming message to its reply by our `_makeResponse` override; stripped before sending. */
  _private?: Record<string, unknown>;
}

export type ExtensionCallback = (message: BayeuxMessage) => void;

export interface FayeExtension {
  incoming?(message: BayeuxMessage, request: unknown, callback: ExtensionCallback): void;
  outgoing?(message: BayeuxMessage, request: unknown, callback: ExtensionCallback): void;
}

/** faye's engine proxy: routes published messages to client queues and owns the client namespace. */
export interface FayeEngine {
  publish(message: BayeuxMessage): void;
  destroyClient(clientId: string, callback?: () => void): void;
  unsubscribe(clientId: string, channel: string): void;
  deliver(clientId: string, messages: BayeuxMessage[] | undefined): boolean;
  close(): void;
}

interface FayeServer {
  _engine: FayeEngine;
  _makeResponse(message: BayeuxMessage): BayeuxMessage;
}

export interface NodeAdapter {
  _server: FayeServer;
  attach(server: http.Server): void;
  addExtension(extension: FayeExtension): void;
  on(event: "handshake" | "disconnect", listener: (clientId: string) => void): void;
  on(event: "subscribe" | "unsubscribe", listener: (clientId: string, channel: string) => void): void;
  close(): void;
}

interface FayeModule {
  NodeAdapter: new (options: { mount: string; timeout: number; ping?: number }) => NodeAdapter;
}

// `require` rather than `import`: without declarations, an import of "faye" fails under strict settings.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const faye = require("faye") as FayeModule;

/**
 * A faye server mounted at `mount`. Its responses carry `_private` from the message they answer, so an
 * incoming extension can hand facts (the user of a handshake, a subscription snapshot) to the outgoing one.
 */
export function createAdapter(mount: string, timeoutSec: number, pingSec: number): NodeAdapter {
  const adapter = new faye.NodeAdapter({ mount, timeout: timeoutSec, ping: pingSec });
  const server = adapter._server;
  const makeResponse = server._makeResponse.bind(server);
  server._makeResponse = (message) => {
    const response = makeResponse(message);
    if (message._private) response._private = message._private;
    return response;
  };
  return adapter;
}
