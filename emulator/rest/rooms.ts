// Room list, search, resolve (POST /v1/rooms), join, leave, hide and member lists.
import { Router, type Request, type Response } from "express";
import { isObjectId } from "../ids";
import type { EmulatorState } from "../state";
import { ApiError, type EmRoom } from "../types";
import { caller, intParam, loadRoom, ownUser, page, strParam, SUCCESS } from "./common";

type Full = (userId: string, room: EmRoom) => Record<string, unknown>;

export function roomsRouter(state: EmulatorState): Router {
  const r = Router({ caseSensitive: true });
  /** A room as the single-room endpoints show it: with permissions. */
  const full: Full = (userId, room) => ({ ...state.serializeRoomFor(userId, room), permissions: { admin: false } });
  listRoutes(r, state, full);
  membershipRoutes(r, state, full);
  memberListRoute(r, state);
  return r;
}

function listRoutes(r: Router, state: EmulatorState, full: Full): void {
  // zero804/gitter server/services/restful.js serializeTroupesForUser: includePermissions, and the rooms where the
  // user was only mentioned (roomMember: false).
  const listRooms = (res: Response, userId: string) => {
    res.json(state.rooms.roomsOf(userId).map((room) => full(userId, room)));
  };

  r.get("/rooms", (req, res) => {
    const q = strParam(req.query.q);
    const me = caller(res).user.id;
    if (q === undefined) return listRooms(res, me);
    const found = state.rooms.search(q);
    res.json({ results: page(found, req.query, 10, 100).map((room) => state.serializeRoomFor(me, room)) });
  });

  r.get("/user/:userId/rooms", (req, res) => listRooms(res, ownUser(req, res).id));

  r.post("/rooms", (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const uri = strParam(body.uri) ?? strParam(req.query.uri);
    if (!uri) throw new ApiError(400, "uri required");
    res.json(resolveUri(state, caller(res).user.id, uri, full));
  });

  r.get("/rooms/:roomId", (req, res) => {
    const room = loadRoom(state, req, res);
    res.json(full(caller(res).user.id, room));
  });
}

function membershipRoutes(r: Router, state: EmulatorState, full: Full): void {

  r.post("/user/:userId/rooms", (req, res) => {
    const me = ownUser(req, res);
    const id = ((req.body ?? {}) as Record<string, unknown>).id;
    if (!isObjectId(id)) throw new ApiError(400, "Invalid room id");
    const room = state.getRoom(id);
    // zero804/gitter server/api/v1/user/troupes.js create: troupeService.findById gives null for an unknown id and
    // createPolicyForRoom(user, null) throws, so an unknown id is a 500, not a 404.
    if (!room) throw new ApiError(500, "Internal Server Error");
    if (!state.rooms.canRead(me.id, room)) throw new ApiError(403, "Forbidden");
    state.rooms.join(me.id, room.id);
    res.json({ ...full(me.id, room), roomMember: true });
  });

  const roomSettings = (req: Request, res: Response) => {
    const me = ownUser(req, res);
    const room = loadRoom(state, req, res);
    res.json(state.serializeRoomFor(me.id, room));
  };
  r.patch("/user/:userId/rooms/:roomId", roomSettings);
  r.put("/user/:userId/rooms/:roomId", roomSettings);

  r.delete("/user/:userId/rooms/:roomId", (req, res) => {
    const me = ownUser(req, res);
    const room = loadRoom(state, req, res);
    state.rooms.hide(me.id, room.id);
    res.json(SUCCESS);
  });

  // zero804/gitter server/api/v1/rooms/users.js load + destroy: `:userId` must be an id (`me` is not one) of a
  // member of the room, else 404; so leaving twice is a 404.
  r.delete("/rooms/:roomId/users/:userId", (req, res) => {
    const me = caller(res).user;
    const room = loadRoom(state, req, res);
    const target = req.params.userId;
    if (!isObjectId(target) || !state.isMember(target, room.id)) throw new ApiError(404, "Not Found");
    // Removing someone else needs admin rights, which no emulated user has.
    if (target !== me.id) throw new ApiError(403, "Forbidden");
    state.rooms.leave(me.id, room.id);
    res.json(SUCCESS);
  });
}

function memberListRoute(r: Router, state: EmulatorState): void {
  r.get("/rooms/:roomId/users", (req, res) => {
    const room = loadRoom(state, req, res);
    const q = strParam(req.query.q)?.toLowerCase();
    let members = state.rooms.members(room.id);
    if (q) members = members.filter((u) => u.username.toLowerCase().startsWith(q) || u.displayName.toLowerCase().startsWith(q));
    const limit = Math.min(Math.max(intParam(req.query.limit) ?? 30, 1), 100);
    const skip = Math.max(intParam(req.query.skip) ?? 0, 0);
    res.json(members.slice(skip, skip + limit).map((u) => state.serializeUser(u)));
  });
}

/**
 * POST /v1/rooms: a room uri resolves (case-insensitively) without joining; another user's username opens or
 * creates the one-to-one room with them. Anything else, including one's own username, is 404.
 */
function resolveUri(state: EmulatorState, userId: string, uri: string, full: Full): Record<string, unknown> {
  const clean = uri.replace(/^\/+/, "");
  const room = state.rooms.findByUri(clean);
  if (room) {
    if (!state.rooms.canRead(userId, room)) throw new ApiError(404, "Not Found");
    return full(userId, room);
  }
  const other = state.findUserByName(clean);
  if (!other || other.id === userId) throw new ApiError(404, "Not Found");
  return full(userId, state.rooms.openOneToOne(userId, other.id));
}
