// The grammar of Matrix content URIs (`mxc://<server-name>/<media-id>`), in one place: every mxc the bridge reads
// (a message's file, an image in formatted text, a Gitter message's image, a path on the public media route) is
// checked here before it becomes a link or a homeserver request. The parts end up in a homeserver URL path, so
// anything looser would let `mxc://../config` turn a media download into a request for another homeserver path.
// Pure: no I/O.

export interface MxcParts {
  serverName: string;
  mediaId: string;
}

/**
 * Spec "Server Name" (appendix, identifier grammar): `hostname [ ":" port ]`, the hostname an IPv4 literal, a
 * bracketed IPv6 literal or a DNS name. The spec's dns-name is any run of letters, digits, `-` and `.`; like
 * Synapse (synapse/util/stringutils.py VALID_HOST_REGEX), a DNS name here is dot-separated non-empty labels, so
 * `..`, `.`, `a..b` and a leading or trailing dot are refused.
 */
const DNS_NAME = /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/;
const IPV6_LITERAL = /^\[[0-9A-Fa-f:.]{2,45}\]$/;
const PORT = /^[0-9]{1,5}$/;
const MAX_HOSTNAME = 255;
/** Spec "Matrix Content (mxc://) URIs": the media id is `[A-Za-z0-9_-]+`. 255 is the store's column width. */
const MEDIA_ID = /^[A-Za-z0-9_-]{1,255}$/;

export function isServerName(name: unknown): name is string {
  if (typeof name !== "string") return false;
  // The port follows the last colon outside an IPv6 literal's brackets.
  const bracketEnd = name.lastIndexOf("]");
  const colon = name.indexOf(":", bracketEnd + 1);
  const host = colon === -1 ? name : name.slice(0, colon);
  if (colon !== -1 && !PORT.test(name.slice(colon + 1))) return false;
  if (host.length === 0 || host.length > MAX_HOSTNAME) return false;
  return host.startsWith("[") ? IPV6_LITERAL.test(host) : DNS_NAME.test(host);
}

export function isMediaId(id: unknown): id is string {
  return typeof id === "string" && MEDIA_ID.test(id);
}

/** Splits `mxc://server/id`; null unless both parts follow the grammar above (and nothing follows the id). */
export function parseMxc(uri: unknown): MxcParts | null {
  if (typeof uri !== "string" || !uri.startsWith("mxc://")) return null;
  const rest = uri.slice("mxc://".length);
  const slash = rest.lastIndexOf("/");
  if (slash === -1) return null;
  const parts = { serverName: rest.slice(0, slash), mediaId: rest.slice(slash + 1) };
  return isServerName(parts.serverName) && isMediaId(parts.mediaId) ? parts : null;
}

/** Whether `uri` claims to be an mxc URI at all (any case), valid or not: such a URI is never used as a web link. */
export function looksLikeMxc(uri: string): boolean {
  return /^mxc:\/\//i.test(uri);
}
