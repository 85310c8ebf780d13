// Gitter's HTTP streaming host (stream.gitter.im, API reference section 4): a separate listener, because the
// real one was a separate host. Each open response gets the bare JSON of every message created in its room,
// one per line, and a `" \n"` heartbeat. Edits and deletes are never streamed (none are confirmed upstream).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { isObjectId } from "./ids";
import type { LiveEvent } from "./live";
import type { RealtimeState } from "./realtime-state";

export interface StreamOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** Interval between `" \n"` heartbeats. Default 15 s (Gitter's is undocumented). */
  heartbeatMs?: number;
}

export interface StreamHandle {
  /** Base URL, without a trailing slash: streams live at `${url}/v1/rooms/:roomId/chatMessages`. */
  url: string;
  /** Number of open streams. */
  openStreams(): number;
  /** Ends every stream and closes the listener. Never rejects. */
  stop(): Promise<void>;
}

interface OpenStream {
  res: http.ServerResponse;
  userId: string;
  token: string;
  roomId: string;
  resource: "chatMessages" | "events";
}

const PATH = /^\/v1\/rooms\/([^/]+)\/(chatMessages|events)$/;

export async function startStreamServer(state: RealtimeState, opts: StreamOptions = {}): Promise<StreamHandle> {
  const streams = new Set<OpenStream>();
  const server = http.createServer((req, res) => openStream(state, streams, req, res));
  const heartbeat = setInterval(() => {
    for (const s of streams) s.res.write(" \n");
  }, opts.heartbeatMs ?? 15000);
  const onLive = (e: LiveEvent) => routeLive(state, streams, e);
  state.on("live", onLive);

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host ?? "127.0.0.1";

  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    openStreams: () => streams.size,
    async stop() {
      state.off("live", onLive);
      clearInterval(heartbeat);
      endStreams(streams, () => true);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function openStream(state: RealtimeState, streams: Set<OpenStream>, req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = new URL(req.url ?? "/", "http://stream.invalid");
  const m = PATH.exec(url.pathname);
  if (req.method !== "GET" || !m) return sendError(res, 404, "Not Found");
  const auth = tokenOf(req, url);
  if (auth === "malformed") return sendError(res, 400, "Bad request");
  const user = auth ? state.userForToken(auth) : undefined;
  if (!auth || !user) return sendError(res, 401, "Unauthorized");
  const roomId = m[1];
  if (!isObjectId(roomId) || !state.getRoom(roomId)) return sendError(res, 404, "Not Found");
  if (!state.isMember(user.id, roomId)) return sendError(res, 403, "Forbidden");

  res.writeHead(200, { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-cache" });
  res.flushHeaders();
  const stream: OpenStream = { res, userId: user.id, token: auth, roomId, resource: m[2] as OpenStream["resource"] };
  streams.add(stream);
  res.on("close", () => streams.delete(stream));
}

/**
 * The token as Gitter's bearer strategy reads it: `Authorization: Bearer`, `x-access-token` or
 * `?access_token=`. "malformed" for a header that is not two parts, or two different tokens.
 */
function tokenOf(req: http.IncomingMessage, url: URL): string | undefined | "malformed" {
  const found = new Set<string>();
  const header = req.headers.authorization;
  if (header !== undefined) {
    const parts = header.trim().split(/\s+/);
    if (parts.length !== 2) return "malformed";
    if (/^bearer$/i.test(parts[0])) found.add(parts[1]);
  }
  const x = req.headers["x-access-token"];
  if (typeof x === "string" && x) found.add(x);
  const q = url.searchParams.get("access_token");
  if (q) found.add(q);
  if (found.size > 1) return "malformed";
  return [...found][0];
}

function routeLive(state: RealtimeState, streams: Set<OpenStream>, e: LiveEvent): void {
  switch (e.kind) {
    case "chat":
      if (e.operation !== "create") return;
      for (const s of streams) {
        if (s.resource === "chatMessages" && s.roomId === e.roomId && state.isMember(s.userId, s.roomId)) {
          s.res.write(JSON.stringify(e.model) + "\n");
        }
      }
      return;
    case "roomUsers":
      if (e.operation === "remove") endStreams(streams, (s) => s.roomId === e.roomId && s.userId === e.model.id);
      return;
    case "tokenRevoked":
      return endStreams(streams, (s) => s.token === e.token);
    case "cutConnections":
      return endStreams(streams, () => true);
    default:
      return;
  }
}

function endStreams(streams: Set<OpenStream>, filter: (s: OpenStream) => boolean): void {
  for (const s of [...streams]) {
    if (!filter(s)) continue;
    streams.delete(s);
    s.res.end();
  }
}

function sendError(res: http.ServerResponse, status: number, error: string): void {
  const body = JSON.stringify({ error });
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}
