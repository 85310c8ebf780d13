// Fixtures: the users, rooms, history and OAuth apps an emulator starts with, written in YAML.
// loadFixture validates and throws FixtureError naming the bad key; applyFixture fills an EmulatorState.
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { FixtureError, list, obj, optNum, optStr, str, type Obj } from "./fixture-check";
import { URI_PATTERN } from "./room-book";

export { FixtureError } from "./fixture-check";

export interface FixtureUser {
  id?: string;
  username: string;
  displayName?: string;
  password?: string;
  avatar?: string;
  /** How old the account is (Gitter's spam check spares accounts over 14 days); default a year. Ignored with `id`. */
  ageDays?: number;
}
export interface FixtureRoom { id?: string; uri: string; name?: string; topic?: string; security?: "PUBLIC" | "PRIVATE"; members: string[] }
export interface FixtureMessage {
  /** A room uri, or two usernames for their one-to-one room. */
  room: string | [string, string];
  author: string;
  text: string;
  ageSeconds?: number;
  status?: boolean;
  /** A name other history items can use as `parent`. */
  key?: string;
  parent?: string;
}
export interface FixtureApp { clientId: string; clientSecret: string; redirectUri: string; name?: string }
export interface FixtureToken { user: string; clientId: string; token: string }
export interface FixtureData {
  users: FixtureUser[];
  rooms?: FixtureRoom[];
  oneToOne?: [string, string][];
  history?: FixtureMessage[];
  oauthApps?: FixtureApp[];
  tokens?: FixtureToken[];
}

const ID = /^[0-9a-f]{24}$/;
const HEX40 = /^[0-9a-f]{40}$/;
const USERNAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const AVATAR = /^(#[0-9a-fA-F]{6}|https?:\/\/\S+)$/;

function pair(v: unknown, key: string, names: Set<string>): [string, string] {
  const items = list(v, key);
  if (items.length !== 2) throw new FixtureError(key, "must be a list of two usernames");
  items.forEach((u, i) => known(u, `${key}[${i}]`, names));
  if (items[0] === items[1]) throw new FixtureError(key, "must name two different users");
  return [items[0] as string, items[1] as string];
}

function known(u: unknown, key: string, names: Set<string>): string {
  if (typeof u !== "string" || !names.has(u.toLowerCase())) throw new FixtureError(key, `unknown user ${JSON.stringify(u)}`);
  return u;
}

function user(v: unknown, key: string): FixtureUser {
  const o = obj(v, key, ["id", "username", "displayName", "password", "avatar", "ageDays"]);
  return {
    id: optStr(o, "id", key, ID, "a 24-hex-digit id"),
    username: str(o, "username", key, USERNAME, "letters, digits, - and _"),
    displayName: optStr(o, "displayName", key),
    password: optStr(o, "password", key),
    avatar: optStr(o, "avatar", key, AVATAR, "a #rrggbb colour or an http(s) URL"),
    ageDays: optNum(o, "ageDays", key),
  };
}

function room(v: unknown, key: string, names: Set<string>): FixtureRoom {
  const o = obj(v, key, ["id", "uri", "name", "topic", "security", "members"]);
  const security = optStr(o, "security", key, /^(PUBLIC|PRIVATE)$/, "PUBLIC or PRIVATE") as FixtureRoom["security"];
  const topic = o.topic === undefined || o.topic === "" ? undefined : str(o, "topic", key);
  return {
    id: optStr(o, "id", key, ID, "a 24-hex-digit id"),
    uri: str(o, "uri", key, URI_PATTERN, "a room uri such as org/room"),
    name: optStr(o, "name", key),
    topic,
    security,
    members: list(o.members, `${key}.members`).map((u, i) => known(u, `${key}.members[${i}]`, names)),
  };
}

function message(v: unknown, key: string, names: Set<string>, uris: Set<string>): FixtureMessage {
  const o = obj(v, key, ["room", "author", "text", "ageSeconds", "status", "key", "parent"]);
  let roomRef: FixtureMessage["room"];
  if (Array.isArray(o.room)) roomRef = pair(o.room, `${key}.room`, names);
  else if (!uris.has(str(o, "room", key).toLowerCase())) throw new FixtureError(`${key}.room`, `unknown room ${String(o.room)}`);
  else roomRef = o.room as string;
  if (o.status !== undefined && typeof o.status !== "boolean") throw new FixtureError(`${key}.status`, "must be true or false");
  return {
    room: roomRef,
    author: known(o.author, `${key}.author`, names),
    text: str(o, "text", key),
    ageSeconds: optNum(o, "ageSeconds", key),
    status: o.status as boolean | undefined,
    key: optStr(o, "key", key),
    parent: optStr(o, "parent", key),
  };
}

function app(v: unknown, key: string): FixtureApp {
  const o = obj(v, key, ["clientId", "clientSecret", "redirectUri", "name"]);
  return {
    clientId: str(o, "clientId", key),
    clientSecret: str(o, "clientSecret", key),
    redirectUri: str(o, "redirectUri", key, /^https?:\/\/\S+$/, "an http(s) URL"),
    name: optStr(o, "name", key),
  };
}

function token(v: unknown, key: string, names: Set<string>): FixtureToken {
  const o = obj(v, key, ["user", "clientId", "token"]);
  return { user: known(o.user, `${key}.user`, names), clientId: str(o, "clientId", key), token: str(o, "token", key, HEX40, "40 hex digits") };
}

/** Validates parsed YAML (or an object built in code). Throws FixtureError naming the first bad key. */
export function validateFixture(raw: unknown): FixtureData {
  const top: Obj = obj(raw, "(top)", ["users", "rooms", "oneToOne", "history", "oauthApps", "tokens"]);
  const users = list(top.users, "users").map((u, i) => user(u, `users[${i}]`));
  if (users.length === 0) throw new FixtureError("users", "must list at least one user");
  const names = new Set<string>();
  users.forEach((u, i) => {
    if (names.has(u.username.toLowerCase())) throw new FixtureError(`users[${i}].username`, `duplicate username ${u.username}`);
    names.add(u.username.toLowerCase());
  });
  const rooms = list(top.rooms, "rooms").map((r, i) => room(r, `rooms[${i}]`, names));
  const uris = new Set<string>();
  rooms.forEach((r, i) => {
    if (uris.has(r.uri.toLowerCase())) throw new FixtureError(`rooms[${i}].uri`, `duplicate room ${r.uri}`);
    uris.add(r.uri.toLowerCase());
  });
  const history = list(top.history, "history").map((m, i) => message(m, `history[${i}]`, names, uris));
  checkParents(history);
  return {
    users,
    rooms,
    oneToOne: list(top.oneToOne, "oneToOne").map((p, i) => pair(p, `oneToOne[${i}]`, names)),
    history,
    oauthApps: list(top.oauthApps, "oauthApps").map((a, i) => app(a, `oauthApps[${i}]`)),
    tokens: list(top.tokens, "tokens").map((t, i) => token(t, `tokens[${i}]`, names)),
  };
}

function checkParents(history: FixtureMessage[]): void {
  const seen = new Map<string, number>();
  history.forEach((m, i) => {
    if (m.parent !== undefined) {
      const at = seen.get(m.parent);
      if (at === undefined) throw new FixtureError(`history[${i}].parent`, `no earlier history item has key ${m.parent}`);
      if (history[at].parent !== undefined) throw new FixtureError(`history[${i}].parent`, "a reply cannot start a thread");
    }
    if (m.key !== undefined) {
      if (seen.has(m.key)) throw new FixtureError(`history[${i}].key`, `duplicate key ${m.key}`);
      seen.set(m.key, i);
    }
  });
}

/** Reads and validates a YAML file. Throws FixtureError (bad content) or a file-system error. */
export function loadFixture(path: string): FixtureData {
  const text = readFileSync(path, "utf8");
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    throw new FixtureError("(yaml)", (err as Error).message);
  }
  return validateFixture(raw);
}

export { applyFixture } from "./fixture-apply";
