// /v1/rooms/:roomId/chatMessages: list, get, send, edit, delete, thread replies and readers.
import { Router, type Request } from "express";
import type { EmulatorState } from "../state";
import { ApiError, type MessageQuery } from "../types";
import { caller, intParam, loadRoom, strParam } from "./common";

function listQuery(req: Request): MessageQuery {
  const q = req.query;
  return {
    limit: intParam(q.limit),
    beforeId: strParam(q.beforeId),
    afterId: strParam(q.afterId),
    aroundId: strParam(q.aroundId),
    skip: intParam(q.skip),
    includeThreads: q.includeThreads === "true",
  };
}

function body(req: Request): Record<string, unknown> {
  return (req.body && typeof req.body === "object" ? req.body : {}) as Record<string, unknown>;
}

const base = "/rooms/:roomId/chatMessages";

function messageIn(state: EmulatorState, req: Request, roomId: string) {
  const id = req.params.messageId;
  const msg = typeof id === "string" ? state.chat.getInRoom(roomId, id) : undefined;
  if (!msg) throw new ApiError(404, "Not Found");
  return msg;
}

export function chatRouter(state: EmulatorState): Router {
  const r = Router({ caseSensitive: true });
  readRoutes(r, state);
  writeRoutes(r, state);
  return r;
}

function writeRoutes(r: Router, state: EmulatorState): void {

  r.post(base, (req, res) => {
    const room = loadRoom(state, req, res);
    const me = caller(res).user.id;
    const b = body(req);
    const msg = state.postMessage(me, room.id, { text: b.text, status: b.status, parentId: b.parentId });
    res.json(state.serializeMessage(msg, me));
  });

  r.put(`${base}/:messageId`, (req, res) => {
    const room = loadRoom(state, req, res);
    const me = caller(res).user.id;
    const msg = state.editMessage(me, room.id, req.params.messageId, body(req).text);
    res.json(state.serializeMessage(msg, me));
  });

  r.delete(`${base}/:messageId`, (req, res) => {
    const room = loadRoom(state, req, res);
    state.deleteMessage(caller(res).user.id, room.id, req.params.messageId);
    res.status(204).end();
  });
}

function readRoutes(r: Router, state: EmulatorState): void {
  r.get(base, (req, res) => {
    const room = loadRoom(state, req, res);
    res.json(state.listMessages(room.id, listQuery(req), caller(res).user.id));
  });

  r.get(`${base}/:messageId`, (req, res) => {
    const room = loadRoom(state, req, res);
    res.json(state.serializeMessage(messageIn(state, req, room.id), caller(res).user.id));
  });

  r.get(`${base}/:messageId/thread`, (req, res) => {
    const room = loadRoom(state, req, res);
    const parent = messageIn(state, req, room.id);
    const me = caller(res).user.id;
    const q = listQuery(req);
    const replies = state.chat.thread(room.id, parent.id, { beforeId: q.beforeId, afterId: q.afterId, limit: q.limit });
    res.json(replies.map((m) => state.serializeMessage(m, me)));
  });

  r.get(`${base}/:messageId/readBy`, (req, res) => {
    const room = loadRoom(state, req, res);
    const msg = messageIn(state, req, room.id);
    const readers = [...msg.readBy].map((id) => state.getUser(id)).filter((u) => u !== undefined);
    res.json(readers.map((u) => state.serializeUser(u)));
  });
}
