// Parses what people type to name a Mattermost channel or person (Mattermost's NetworkTerms.parseTarget):
// `team/channel`, the web app's link to a channel (`<server>/team/channels/name`), `@username` or `username`, or
// the link to a direct message (`<server>/team/messages/@username`). Links to another server are refused: the
// client only talks to its own. Names are lower-cased, as Mattermost stores them.
import type { TargetResult } from "../network/terms";

// mattermost/mattermost webapp/channels/src/utils/path.ts TEAM_NAME_PATH_PATTERN and IDENTIFIER_PATH_PATTERN: what
// the web app's routes take as a team's name and as a channel's name (or `@username`) in its links.
const TEAM = /^[a-z0-9_-]+$/;
const NAME = /^[a-z0-9_-][a-z0-9_.-]*$/;
const PATHS = /^\/([^/]+)\/(channels|messages)\/([^/]+)\/?$/;

/** The parser for the server at `serverUrl` (the channel links it accepts are that server's). */
export function mattermostTargetParser(serverUrl: string): (input: string) => TargetResult {
  const server = new URL(serverUrl);
  const base = server.pathname.replace(/\/+$/, "");
  return (input) => {
    const s = input.trim();
    if (!s) return { ok: false, problem: "a channel (team/channel or a channel link) or a username is needed" };
    if (/^https?:\/\//i.test(s)) return fromLink(s, server, base);
    return fromName(s.toLowerCase(), input);
  };
}

function fromName(s: string, input: string): TargetResult {
  if (s.startsWith("@")) {
    const username = s.slice(1);
    return NAME.test(username) ? { ok: true, target: { kind: "user", username } } : notOne(input);
  }
  const parts = s.split("/");
  if (parts.length === 1 && NAME.test(s)) return { ok: true, target: { kind: "user", username: s } };
  if (parts.length === 2 && TEAM.test(parts[0]) && NAME.test(parts[1])) return { ok: true, target: { kind: "room", uri: s } };
  return notOne(input);
}

function fromLink(s: string, server: URL, base: string): TargetResult {
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    return { ok: false, problem: `"${short(s)}" is not a valid link` };
  }
  const path = url.pathname.toLowerCase();
  if (url.host.toLowerCase() !== server.host.toLowerCase() || !path.startsWith(`${base.toLowerCase()}/`)) {
    return { ok: false, problem: `"${short(s)}" is not a link to ${server.host}` };
  }
  let m: RegExpExecArray | null;
  try {
    m = PATHS.exec(decodeURIComponent(path.slice(base.length)));
  } catch {
    return { ok: false, problem: `"${short(s)}" is not a valid link (a broken %-escape)` };
  }
  if (!m || !TEAM.test(m[1])) return { ok: false, problem: `"${short(s)}" is not a link to a channel or a direct message` };
  const [, team, kind, name] = m;
  if (kind === "messages") return name.startsWith("@") ? fromName(name, s) : { ok: false, problem: `"${short(s)}" is a group message: join it from Mattermost` };
  return NAME.test(name) ? { ok: true, target: { kind: "room", uri: `${team}/${name}` } } : notOne(s);
}

function notOne(input: string): TargetResult {
  return { ok: false, problem: `"${short(input)}" is not a Mattermost channel (team/channel) or username` };
}

function short(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
