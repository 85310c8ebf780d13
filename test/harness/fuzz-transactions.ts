// Generated malformed appservice requests for fuzzing the bridge's transaction endpoint over HTTP: broken JSON,
// wrong top-level types, odd content types and methods, bodies past the size limit, and well-formed
// transactions full of events that are broken where it matters. None of them is a message the bridge should
// act on: every event that names a real room or user has at least one essential field made unusable.
import type { Fuzz } from "./fuzz";

export interface FuzzRequest {
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** What the answer's status must be. */
  expect: "accepted" | "4xx" | "accepted-or-4xx";
}

export interface FuzzTargets {
  hsToken: string;
  /** Real ids worth aiming at: the user and their rooms (portals, control room). */
  owner: string;
  rooms: string[];
}

const BRIDGED_MSGTYPES = ["m.text", "m.notice", "m.emote"];

/** A message event from the owner in one of their rooms, with one essential field made unusable. */
function brokenMessage(f: Fuzz, t: FuzzTargets): Record<string, unknown> {
  const content: Record<string, unknown> = { msgtype: f.pick(BRIDGED_MSGTYPES), body: `fuzz ${f.oddString().slice(0, 80)}` };
  const event: Record<string, unknown> = { type: "m.room.message", event_id: `$fuzz${f.int(1e9)}`, room_id: f.pick(t.rooms), sender: t.owner, origin_server_ts: Date.now(), content };
  switch (f.int(5)) {
    case 0:
      content.body = f.notString();
      break;
    case 1:
      content.msgtype = f.bool() ? f.notString() : f.pick(["m.TEXT", "m.text\u0000", "", "m.image", "m.bad", f.oddString()]).replace(/^m\.(text|notice|emote)$/, "m.x");
      break;
    case 2:
      event.sender = f.bool() ? f.notString() : `@${f.oddString().slice(0, 40)}:evil.example`;
      break;
    case 3:
      event.type = f.bool() ? f.notString() : f.pick(["m.room.message ", "M.ROOM.MESSAGE", "m.sticker", f.oddString()]);
      break;
    default:
      event.content = f.pick([null, "text", 5, [], [content]]);
  }
  // Any other field may be odd as well; the broken one above is what keeps the event from being a message.
  return f.bool(0.4) ? f.mangle(event, ["event_id", "origin_server_ts", "unsigned"], false) : event;
}

/** A membership event aimed at no real room: member handling must cope with any shape. */
function brokenMember(f: Fuzz): Record<string, unknown> {
  const event = {
    type: "m.room.member",
    event_id: `$fuzz${f.int(1e9)}`,
    room_id: `!${f.oddString().slice(0, 30)}:fuzz.example`,
    sender: `@${f.oddString().slice(0, 30)}:fuzz.example`,
    state_key: f.pick(["@gitter:localhost", f.oddString()]),
    content: { membership: f.pick(["invite", "leave", "join", "ban", f.oddString()]) },
  };
  return f.mangle(event, ["state_key", "content", "sender", "room_id", "event_id"], false);
}

function junkEvent(f: Fuzz): unknown {
  const roll = f.int(4);
  if (roll === 0) return { [f.oddString().slice(0, 30)]: f.value() };
  if (roll === 1) return { type: f.value(), event_id: f.value(), room_id: f.value(), sender: f.value(), content: f.value() };
  if (roll === 2) return { type: "m.room.message", content: { body: f.huge(), msgtype: "m.text" } }; // no ids at all
  return { type: "m.room.message", content: f.deep(50 + f.int(500)) };
}

function events(f: Fuzz, t: FuzzTargets): unknown[] {
  return Array.from({ length: 1 + f.int(6) }, () => {
    const roll = f.int(3);
    return roll === 0 ? brokenMessage(f, t) : roll === 1 ? brokenMember(f) : junkEvent(f);
  });
}

/** One generated request. `txn` picks the transaction id (reused ids must be answered as replays). */
export function fuzzRequest(f: Fuzz, t: FuzzTargets, txn: string): FuzzRequest {
  const path = `/_matrix/app/v1/transactions/${encodeURIComponent(wellFormed(txn))}`;
  const auth = { authorization: `Bearer ${t.hsToken}` };
  const json = { ...auth, "content-type": "application/json" };
  const put = (kind: string, body: string | Buffer, expect: FuzzRequest["expect"], headers: Record<string, string> = json): FuzzRequest => ({ kind, method: "PUT", path, headers, body, expect });
  switch (f.int(10)) {
    case 0:
      return put("broken JSON", f.brokenJson({ events: events(f, t) }), "4xx");
    case 1:
      return put("wrong top level", JSON.stringify(f.pick([[], "events", 42, null, true, [{ events: [] }]])), "4xx");
    case 2:
      return put("events not a list", JSON.stringify(f.pick([{}, { events: f.pick([null, 5, true, {}, { 0: {} }, f.oddString()]) }, { Events: [] }, { events: "[]" }])), "4xx");
    case 3:
      return put("non-object events", JSON.stringify({ events: [...events(f, t), f.pick([null, 1, "x", [], true])] }), "4xx");
    case 4: {
      // The homeserver's content type is not checked (some send none); a charset JSON cannot have is refused.
      const type = f.pick(["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "image/png", "application/json; charset=latin1"]);
      return put("odd content type", JSON.stringify({ events: events(f, t) }), type.includes("latin1") ? "4xx" : "accepted", { ...auth, "content-type": type });
    }
    case 5: {
      if (f.bool(0.02)) return put("too large", Buffer.alloc(11 * 1024 * 1024, 0x20), "4xx");
      const method = f.pick(["POST", "GET", "DELETE", "PATCH"]);
      return { kind: "wrong method", method, path, headers: json, body: method === "GET" ? undefined : "{}", expect: "4xx" };
    }
    case 6: {
      // An odd extra key is ignored, except an ephemeral key that is not a list: the spec makes that a list.
      const key = f.pick(ODD_KEYS);
      const value = f.value();
      const bad = EPHEMERAL_KEYS.includes(key) && !Array.isArray(value);
      return put("odd unicode", JSON.stringify({ events: events(f, t), [key]: value }), bad ? "4xx" : "accepted");
    }
    default:
      return put("broken events", JSON.stringify({ events: events(f, t) }), "accepted");
  }
}

const EPHEMERAL_KEYS = ["ephemeral", "de.sorunome.msc2409.ephemeral"];
const ODD_KEYS = ["__proto__", "constructor", "ephemeral", "de.sorunome.msc2409.ephemeral", "device_lists", "\u202e", ""];

/** Lone surrogate halves cannot go into a URL; they become U+FFFD (the rest of the oddness stays). */
export function wellFormed(text: string): string {
  return text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");
}
