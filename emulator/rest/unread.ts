// Unread items and read markers: /v1/user/:userId/rooms/:roomId/unreadItems and /v1/user/:userId/unreadItems.
import { Router } from "express";
import { isObjectId } from "../ids";
import type { EmulatorState } from "../state";
import { ApiError } from "../types";
import { loadRoom, ownUser, SUCCESS } from "./common";

function ids(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => isObjectId(x)) : [];
}

export function unreadRouter(state: EmulatorState): Router {
  const r = Router({ caseSensitive: true });
  const base = "/user/:userId/rooms/:roomId/unreadItems";

  r.get(base, (req, res) => {
    const me = ownUser(req, res);
    const room = loadRoom(state, req, res);
    res.json(state.unread.get(me.id, room.id));
  });

  r.post(base, (req, res) => {
    const me = ownUser(req, res);
    const room = loadRoom(state, req, res);
    const b = (req.body ?? {}) as Record<string, unknown>;
    const all = [...new Set([...ids(b.chat), ...ids(b.mention)])];
    if (all.length === 0) throw new ApiError(400, "Bad Request");
    state.markRead(me.id, room.id, all);
    res.json(SUCCESS);
  });

  r.delete(`${base}/:which`, (req, res) => {
    const me = ownUser(req, res);
    const room = loadRoom(state, req, res);
    if (req.params.which !== "all") throw new ApiError(404, "Not Found");
    state.markAllRead(me.id, room.id);
    res.json(SUCCESS);
  });

  r.get("/user/:userId/unreadItems", (req, res) => {
    const me = ownUser(req, res);
    const out = state.rooms
      .roomsOf(me.id)
      .map((room) => ({ room, counts: state.unread.counts(me.id, room.id) }))
      .filter(({ counts }) => counts.unreadItems > 0 || counts.mentions > 0)
      .map(({ room, counts }) => (room.uri ? { id: room.id, uri: room.uri, ...counts } : { id: room.id, ...counts }));
    res.json(out);
  });

  return r;
}
