// Shape checks for what Gitter sends, REST answers and realtime pushes alike. The rest of the bridge trusts the
// wire types in ./types, so anything that does not fit them is stopped here: a message id that is not an
// ObjectId would otherwise move a room's cursor past every real message. Pure; never throws.
//
// Each check returns null when the value fits, else a short description of the first problem (for the log).
// Only the fields the bridge reads are checked; unknown extra fields are allowed, as Gitter adds them over time.
import { checkList, describe, first, isRecord, type Problem } from "../util/shape-check";
import type { GitterMessage, GitterRoom, GitterUser } from "./types";

export { checkList, type Problem };

const OBJECT_ID = /^[0-9a-f]{24}$/;

/** Gitter's ids (messages, rooms, users) are MongoDB ObjectIds: 24 lower-case hex digits. */
export function isObjectId(value: unknown): value is string {
  return typeof value === "string" && OBJECT_ID.test(value);
}

/** A required non-empty string field. */
function text(obj: Record<string, unknown>, key: string, at: string): Problem {
  const v = obj[key];
  return typeof v === "string" && v !== "" ? null : `${at}.${key} must be a non-empty string, got ${describe(v)}`;
}

/** An optional field: absent, null, or of the given type. */
function optional(obj: Record<string, unknown>, key: string, type: "string" | "boolean" | "number", at: string): Problem {
  const v = obj[key];
  return v === undefined || v === null || typeof v === type ? null : `${at}.${key} must be a ${type}, got ${describe(v)}`;
}

export function checkUser(value: unknown, at = "user"): Problem {
  if (!isRecord(value)) return `${at} must be an object, got ${describe(value)}`;
  return first(
    text(value, "id", at),
    text(value, "username", at),
    optional(value, "displayName", "string", at),
    optional(value, "avatarUrl", "string", at),
  );
}

export function checkRoom(value: unknown, at = "room"): Problem {
  if (!isRecord(value)) return `${at} must be an object, got ${describe(value)}`;
  return first(
    text(value, "id", at),
    typeof value.name === "string" ? null : `${at}.name must be a string, got ${describe(value.name)}`,
    typeof value.oneToOne === "boolean" ? null : `${at}.oneToOne must be true or false, got ${describe(value.oneToOne)}`,
    optional(value, "uri", "string", at),
    optional(value, "topic", "string", at),
    optional(value, "roomMember", "boolean", at),
    optional(value, "userCount", "number", at),
    value.user === undefined || value.user === null ? null : checkUser(value.user, `${at}.user`),
  );
}

export function checkMessage(value: unknown, at = "message"): Problem {
  if (!isRecord(value)) return `${at} must be an object, got ${describe(value)}`;
  if (!isObjectId(value.id)) return `${at}.id must be an ObjectId, got ${describe(value.id)}`;
  return first(
    typeof value.text === "string" ? null : `${at}.text must be a string, got ${describe(value.text)}`,
    optional(value, "html", "string", at),
    optional(value, "status", "boolean", at),
    optional(value, "v", "number", at),
    optional(value, "parentId", "string", at),
    checkUser(value.fromUser, `${at}.fromUser`),
    checkMentions(value.mentions, `${at}.mentions`),
  );
}

function checkMentions(value: unknown, at: string): Problem {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value)) return `${at} must be an array, got ${describe(value)}`;
  const bad = value.findIndex((m) => !isRecord(m) || typeof m.screenName !== "string");
  return bad < 0 ? null : `${at}[${bad}].screenName must be a string`;
}

/** Search endpoints wrap their list: `{results: [...]}`. */
export function checkResults(check: (v: unknown, at: string) => Problem): (value: unknown) => Problem {
  const list = checkList(check);
  return (value) => (isRecord(value) ? list(value.results) : `expected {results: [...]}, got ${describe(value)}`);
}

/** Narrowing helpers for callers that hold an unknown value. */
export const isGitterMessage = (v: unknown): v is GitterMessage => checkMessage(v) === null;
export const isGitterRoom = (v: unknown): v is GitterRoom => checkRoom(v) === null;
export const isGitterUser = (v: unknown): v is GitterUser => checkUser(v) === null;
