// Parses what people type to name a Gitter room or person: `org/room`, a Gitter URL, `@username` or `username`.
import type { GitterTarget } from "./types";

const URI_PART = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const HOSTS = new Set(["gitter.im", "www.gitter.im"]);

export type TargetResult = { ok: true; target: GitterTarget } | { ok: false; problem: string };

export function parseGitterTarget(input: string): TargetResult {
  let s = input.trim();
  if (!s) return { ok: false, problem: "a room (org/room or a Gitter link) or a username is needed" };
  const fromUrl = stripGitterUrl(s);
  if (fromUrl === null) return { ok: false, problem: `"${short(input)}" is not a Gitter link` };
  s = fromUrl.replace(/^\/+|\/+$/g, "");
  const isMention = s.startsWith("@");
  if (isMention) s = s.slice(1);
  const parts = s.split("/");
  if (parts.length === 0 || parts.some((p) => !URI_PART.test(p)) || parts.length > 3) {
    return { ok: false, problem: `"${short(input)}" is not a Gitter room or username` };
  }
  if (parts.length === 1) return { ok: true, target: { kind: "user", username: parts[0] } };
  if (isMention) return { ok: false, problem: `"${short(input)}": a username has no slash` };
  return { ok: true, target: { kind: "room", uri: parts.join("/") } };
}

/** Returns the path part for gitter.im URLs, the input for non-URLs, or null for other sites. */
function stripGitterUrl(s: string): string | null {
  const withScheme = /^https?:\/\//i.test(s) ? s : /^(www\.)?gitter\.im\//i.test(s) ? `https://${s}` : null;
  if (!withScheme) return s;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return null;
  }
  if (!HOSTS.has(url.hostname.toLowerCase())) return null;
  return decodeURIComponent(url.pathname);
}

function short(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

export function describeTarget(t: GitterTarget): string {
  return t.kind === "room" ? t.uri : `@${t.username}`;
}
