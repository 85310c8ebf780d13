// Shared pieces of the REST routes: the authenticated caller, `:userId` and `:roomId` loading, query parsing.
import { randomUUID } from "node:crypto";
import { STATUS_CODES } from "node:http";
import type { ErrorRequestHandler, Request, Response } from "express";
import { isObjectId } from "../ids";
import type { EmulatorState } from "../state";
import { ApiError, type EmRoom, type EmToken, type EmUser } from "../types";

export interface Caller {
  user: EmUser;
  token: EmToken;
}

/** The caller set by the auth middleware; only called behind it. */
export function caller(res: Response): Caller {
  return res.locals.caller as Caller;
}

/** `:userId` must be `me` or the caller's own id; anything else is 403. */
export function ownUser(req: Request, res: Response): EmUser {
  const me = caller(res).user;
  const param = req.params.userId;
  if (param !== "me" && param !== me.id) throw new ApiError(403, "Forbidden");
  return me;
}

/** 400 for a malformed id, 404 for an unknown room, 403 when the caller may not read it. */
export function loadRoom(state: EmulatorState, req: Request, res: Response): EmRoom {
  const id = req.params.roomId;
  if (!isObjectId(id)) throw new ApiError(400, "Invalid MongoId");
  const room = state.getRoom(id);
  if (!room) throw new ApiError(404, "Not Found");
  if (!state.rooms.canRead(caller(res).user.id, room)) throw new ApiError(403, "Forbidden");
  return room;
}

export function intParam(v: unknown): number | undefined {
  if (typeof v !== "string" || !/^-?\d+$/.test(v)) return undefined;
  return parseInt(v, 10);
}

export function strParam(v: unknown): string | undefined {
  return typeof v === "string" && v.length > 0 ? v : undefined;
}

/** Paging of search-like lists: `limit` (default `def`, capped at `max`) and `skip`. */
export function page<T>(items: T[], query: Request["query"], def: number, max: number): T[] {
  const limit = Math.min(Math.max(intParam(query.limit) ?? def, 1), max);
  const skip = Math.max(intParam(query.skip) ?? 0, 0);
  return items.slice(skip, skip + limit);
}

export const SUCCESS = { success: true };

/**
 * Gitter's `{"error": "..."}` bodies carry only the reason phrase of the status, whatever the route said; a 5xx adds
 * a `uniqueId` (the id of the logged error). zero804/gitter server/api/index.js mounts gitter-web-env's errorHandler.
 */
export function errorBody(status: number): { error: string; uniqueId?: string } {
  const error = STATUS_CODES[status] ?? "Error";
  return status >= 500 ? { error, uniqueId: randomUUID() } : { error };
}

/** Turns thrown errors into Gitter's error bodies (see errorBody); what the route said is not sent. */
export const errorHandler: ErrorRequestHandler = (err, _req, res, _next) => {
  void _next;
  const raw = err instanceof ApiError ? err.status : (err as { status?: number }).status;
  const status = raw !== undefined && raw >= 400 && raw < 600 ? raw : 500;
  res.status(status).json(errorBody(status));
};
