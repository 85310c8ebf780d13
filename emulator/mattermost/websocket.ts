// GET /api/v4/websocket: authenticated by the upgrade request's token (Authorization header, MMAUTHTOKEN cookie or
// ?access_token=) or afterwards by the authentication_challenge action. Only a connection authenticated on the
// upgrade can resume with ?connection_id=&sequence_number=; one authenticated by the challenge always starts anew.
// mattermost/mattermost server/channels/api4/websocket.go connectWebSocket,
// server/channels/app/platform/websocket_router.go ServeWebSocket, server/channels/wsapi/user.go (user_typing)
import type http from "node:http";
import type { Duplex } from "node:stream";
import { sessionOf, tokenOf } from "./auth";
import { isValidId } from "./ids";
import type { MmState } from "./state";
import { acceptUpgrade, WsConnection } from "./ws-frame";
import type { Hub, WebConn } from "./ws-hub";

interface WsRequest { seq?: unknown; action?: unknown; data?: Record<string, unknown> }

function cookieToken(req: http.IncomingMessage): string | undefined {
  return /(?:^|;\s*)MMAUTHTOKEN=([a-z0-9]+)/.exec(req.headers.cookie ?? "")?.[1];
}

export function attachWebsocket(server: http.Server, state: MmState, hub: Hub): () => void {
  const sockets = new Set<WsConnection>();
  const onUpgrade = (req: http.IncomingMessage, socket: Duplex) => {
    const url = new URL(req.url ?? "/", "http://emulator");
    if (!/^\/api\/v4\/websocket\/?$/.test(url.pathname)) {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n");
      return;
    }
    const session = sessionOf(state, tokenOf(req) ?? cookieToken(req));
    const connId = url.searchParams.get("connection_id");
    const seqParam = url.searchParams.get("sequence_number");
    if (!acceptUpgrade(req, socket)) return;
    const ws = new WsConnection(socket);
    sockets.add(ws);
    ws.on("close", () => sockets.delete(ws));
    let conn: WebConn | undefined;
    if (session) {
      let resume: { connectionId: string; seq: number } | undefined;
      if (connId) {
        // platform/web_conn.go PopulateWebConnConfig: a bad id or a missing/bad sequence_number closes the socket.
        if (!isValidId(connId) || seqParam === null || !/^\d+$/.test(seqParam)) return ws.close(1008, "invalid connection_id or sequence_number");
        resume = { connectionId: connId, seq: parseInt(seqParam, 10) };
      }
      conn = hub.register(session.user_id, session.token, ws, resume);
    }
    ws.on("close", () => conn && hub.dropped(conn));
    ws.on("message", (text: string) => {
      const r = decodeRequest(text);
      if (!r) return ws.close(1003, "bad json"); // web_conn.go readPump: a message that does not decode ends the connection
      const next = handleRequest(state, hub, ws, conn, r);
      if (next) conn = next;
    });
  };
  server.on("upgrade", onUpgrade);
  return () => {
    server.off("upgrade", onUpgrade);
    for (const s of sockets) s.terminate();
  };
}

/**
 * mattermost/mattermost server/channels/app/platform/web_conn.go readPump decodes each message into a
 * model.WebSocketRequest with encoding/json: `null` leaves it empty (no action, seq 0, answered by the router), while
 * anything else that is not an object fails to decode and ends the connection (null here).
 */
function decodeRequest(text: string): WsRequest | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (value === null) return {};
  return typeof value === "object" && !Array.isArray(value) ? (value as WsRequest) : null;
}

function reply(ws: WsConnection, seq: number, data?: Record<string, unknown>): void {
  ws.send(JSON.stringify({ status: "OK", seq_reply: seq, ...(data ? { data } : {}) }));
}

function fail(ws: WsConnection, seq: number, id: string, message: string, status: number): void {
  ws.send(JSON.stringify({ status: "FAIL", seq_reply: seq, error: { id, message, detailed_error: "", request_id: "", status_code: status } }));
}

/** websocket_router.go ServeWebSocket: returns the connection when this request authenticated it. */
function handleRequest(state: MmState, hub: Hub, ws: WsConnection, conn: WebConn | undefined, r: WsRequest): WebConn | undefined {
  const seq = typeof r.seq === "number" ? r.seq : 0;
  // websocket_router.go ServeWebSocket checks the action before the sequence number.
  if (typeof r.action !== "string" || r.action === "") return void fail(ws, seq, "api.web_socket_router.no_action.app_error", "No websocket action.", 400);
  if (seq <= 0) return void fail(ws, seq, "api.web_socket_router.bad_seq.app_error", "Invalid sequence for WebSocket message.", 400);
  if (r.action === "authentication_challenge") {
    if (conn) return undefined; // already authenticated: ignored
    const s = sessionOf(state, typeof r.data?.token === "string" ? r.data.token : undefined);
    if (!s) return void ws.close(1008, "invalid token");
    const registered = hub.register(s.user_id, s.token, ws);
    reply(ws, seq);
    return registered;
  }
  if (!conn) return void fail(ws, seq, "api.web_socket_router.not_authenticated.app_error", "No websocket session; please authenticate first.", 401);
  if (r.action === "user_typing") {
    // wsapi/user.go userTyping -> app PublishUserTyping: the channel hears `typing`, the typist does not.
    const channelId = r.data?.channel_id;
    if (typeof channelId !== "string" || !state.member(channelId, conn.userId)) {
      return void fail(ws, seq, "api.websocket_handler.invalid_param.app_error", "Invalid channel_id parameter.", 400);
    }
    publishTyping(state, conn.userId, channelId, typeof r.data?.parent_id === "string" ? r.data.parent_id : "");
    return void reply(ws, seq);
  }
  if (r.action === "ping") return void reply(ws, seq, { text: "pong", version: "10.5.0.emulator", server_time: Date.now() });
  fail(ws, seq, "api.web_socket_router.bad_action.app_error", "Unknown WebSocket action.", 500);
  return undefined;
}

export function publishTyping(state: MmState, userId: string, channelId: string, parentId: string): void {
  state.publish("typing", { parent_id: parentId, user_id: userId }, { channel_id: channelId, omit_users: { [userId]: true } });
}
