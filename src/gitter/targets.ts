// Parses what people type to name a Gitter room or person: `org/room`, a Gitter URL, `@username` or `username`
// (Gitter's NetworkTerms.parseTarget).
import type { TargetResult } from "../network/terms";

const URI_PART = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const HOSTS = new Set(["gitter.im", "www.gitter.im"]);

export function parseGitterTarget(input: string): TargetResult {
  let s = input.trim();
  if (!s) return { ok: false, problem: "a room (org/room or a Gitter link) or a username is needed" };
  const fromUrl = stripGitterUrl(s);
  if (fromUrl === null) return { ok: false, problem: `"${short(input)}" is not a Gitter link` };
  if (fromUrl === undefined) return { ok: false, problem: `"${short(input)}" is not a valid link (a broken %-escape)` };
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

/**
 * Returns the decoded path part for gitter.im URLs, the input for non-URLs, null for other sites, and undefined
 * for a gitter.im URL whose path does not decode.
 */
function stripGitterUrl(s: string): string | null | undefined {
  const withScheme = /^https?:\/\//i.test(s) ? s : /^(www\.)?gitter\.im\//i.test(s) ? `https://${s}` : null;
  if (!withScheme) return s;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return null;
  }
  if (!HOSTS.has(url.hostname.toLowerCase())) return null;
  try {
    return decodeURIComponent(url.pathname);
  } catch {
    return undefined; // URIError: a % not followed by two hex digits, or bytes that are not UTF-8
  }
}

function short(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
