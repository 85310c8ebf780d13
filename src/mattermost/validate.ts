// Shape checks for what Mattermost sends, REST answers and websocket events alike. The rest of the bridge trusts
// the types in ./types, so anything that does not fit them is stopped here with a clear description. Pure; never
// throws. Each check returns null when the value fits, else the first problem; extra fields are allowed, as the
// server adds them over time.
import { checkList, describe, first, isRecord, type Check, type Problem } from "../util/shape-check";
import type { MmChannel, MmPost, MmPostList, MmUser } from "./types";

export { checkList, isRecord, type Check, type Problem };

/** Mattermost's ids (model.NewId) are 26 characters of base32 in lower case. */
const ID = /^[a-z0-9]{26}$/;

export function isMmId(value: unknown): value is string {
  return typeof value === "string" && ID.test(value);
}

function id(obj: Record<string, unknown>, key: string, at: string, allowEmpty = false): Problem {
  const v = obj[key];
  if (allowEmpty && v === "") return null;
  return isMmId(v) ? null : `${at}.${key} must be an id of 26 characters, got ${describe(v)}`;
}

function str(obj: Record<string, unknown>, key: string, at: string): Problem {
  return typeof obj[key] === "string" ? null : `${at}.${key} must be a string, got ${describe(obj[key])}`;
}

function num(obj: Record<string, unknown>, key: string, at: string): Problem {
  return typeof obj[key] === "number" ? null : `${at}.${key} must be a number, got ${describe(obj[key])}`;
}

function object(value: unknown, at: string, check: (v: Record<string, unknown>) => Problem): Problem {
  return isRecord(value) ? check(value) : `${at} must be an object, got ${describe(value)}`;
}

export const checkUser: Check = (value, at = "user") =>
  object(value, at, (v) => first(id(v, "id", at), typeof v.username === "string" && v.username !== "" ? null : `${at}.username must be a non-empty string`, num(v, "delete_at", at)));

export const checkTeam: Check = (value, at = "team") => object(value, at, (v) => first(id(v, "id", at), str(v, "name", at), str(v, "display_name", at)));

export const checkChannel: Check = (value, at = "channel") =>
  object(value, at, (v) =>
    first(
      id(v, "id", at),
      id(v, "team_id", at, true),
      ["O", "P", "D", "G"].includes(v.type as string) ? null : `${at}.type must be O, P, D or G, got ${describe(v.type)}`,
      str(v, "name", at),
      str(v, "display_name", at),
      num(v, "delete_at", at),
    ),
  );

export const checkMember: Check = (value, at = "member") => object(value, at, (v) => first(id(v, "channel_id", at), id(v, "user_id", at)));

export const checkReaction: Check = (value, at = "reaction") =>
  object(value, at, (v) => first(id(v, "user_id", at), id(v, "post_id", at), typeof v.emoji_name === "string" && v.emoji_name !== "" ? null : `${at}.emoji_name must be a non-empty string`));

export const checkFileInfo: Check = (value, at = "file") =>
  object(value, at, (v) => first(id(v, "id", at), str(v, "name", at), num(v, "size", at), str(v, "mime_type", at)));

export const checkPost: Check = (value, at = "post") =>
  object(value, at, (v) =>
    first(
      id(v, "id", at),
      id(v, "channel_id", at),
      id(v, "user_id", at),
      id(v, "root_id", at, true),
      str(v, "message", at),
      str(v, "type", at),
      num(v, "create_at", at),
      num(v, "update_at", at),
      num(v, "edit_at", at),
      num(v, "delete_at", at),
    ),
  );

export const checkPreference: Check = (value, at = "preference") =>
  object(value, at, (v) => first(id(v, "user_id", at), str(v, "category", at), str(v, "name", at), str(v, "value", at)));

/** A PostList whose every `order` id is in `posts`, so a caller walking `order` never meets a hole. */
export const checkPostList: Check = (value, at = "posts") =>
  object(value, at, (v) => {
    if (!Array.isArray(v.order) || !isRecord(v.posts)) return `${at} must have order (array) and posts (object)`;
    const posts = v.posts;
    for (const [key, post] of Object.entries(posts)) {
      const p = checkPost(post, `${at}.posts.${key}`);
      if (p) return p;
    }
    const missing = v.order.find((x) => typeof x !== "string" || !(x in posts));
    return missing === undefined ? null : `${at}.order names ${describe(missing)} missing from posts`;
  });

/** For a single object answer. */
export function checkOne(check: Check): (value: unknown) => Problem {
  return (value) => check(value, "answer");
}

export const isMmPost = (v: unknown): v is MmPost => checkPost(v, "post") === null;
export const isMmUser = (v: unknown): v is MmUser => checkUser(v, "user") === null;
export const isMmChannel = (v: unknown): v is MmChannel => checkChannel(v, "channel") === null;
export const isMmPostList = (v: unknown): v is MmPostList => checkPostList(v, "posts") === null;
