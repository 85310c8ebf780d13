// Every bot command, one entry each. Help and usage text are generated from these entries. Texts name the network
// and its things by placeholders (./words), so they read in the served network's words; the network's terms parse
// the rooms and people commands name.
import { loginReply, loginHelp } from "./login-texts";
import { UserFacingError, type Command, type CommandNetwork, type CommandServices, type GitterRoomSummary, type GitterTarget, type LoginCodeResult, type LogoutResult, type Reply, type TokenLoginResult } from "./types";
import { fill } from "./words";
import { escapeHtml } from "../web/pages";
import { formatReport, formatReportHtml, REPORT_HEADING } from "../doctor/report";
import { VERSION_TEXT } from "../version";

function target(network: CommandNetwork, arg: string): GitterTarget {
  const parsed = network.terms.parseTarget(arg);
  if (!parsed.ok) throw new UserFacingError(`That does not look right: ${parsed.problem}.`);
  return parsed.target;
}

function describeTarget(t: GitterTarget): string {
  return t.kind === "room" ? t.uri : `@${t.username}`;
}

/** Names come from the network: a huge one must not push a reply past Matrix's event size limit. */
function clip(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function roomLabel(r: GitterRoomSummary, network: CommandNetwork): string {
  return clip(r.oneToOne ? `${r.name} (${network.terms.direct})` : (r.uri ?? r.name));
}

const help: Command = {
  name: "help",
  args: [],
  help: "Show this list of commands.",
  needsLogin: false,
  run: async (ctx) => helpReply(ctx.services, ctx.permission, (c) => c.offered?.(ctx.services) ?? true),
};

const login: Command = {
  name: "login",
  // One word, or a code copied with a space in it (`ABCD EFGH`): the login service reads either.
  args: [{ name: "code", optional: true, rest: true, shape: /^(?:\S+|[A-Za-z0-9]{4}\s+[A-Za-z0-9]{4})$/ }],
  help: loginHelp,
  needsLogin: false,
  run: async (ctx, [code]) => {
    const { services } = ctx;
    if (code !== undefined) return codeReply(await services.confirmLogin(ctx.mxid, code), services.network);
    const link = services.offersLinkLogin() ? await services.loginLink(ctx.mxid) : undefined;
    return loginReply(services.network, { link, token: services.offersTokenLogin(), again: ctx.loggedIn });
  },
};

function codeReply(result: LoginCodeResult, network: CommandNetwork): Reply {
  switch (result.kind) {
    case "logged-in":
      return { text: `${fill("Code accepted: your Matrix account now uses the {network} account", network)} ${clip(result.gitterUsername)}.` };
    case "none":
      return { text: fill("No {network} login is waiting for a code from your Matrix account (or it expired). Send `login` for a new link.", network) };
    case "wrong":
      return result.triesLeft > 0
        ? { text: `That code is not right. Check it on the bridge's page and send \`login <code>\` again (${result.triesLeft} ${result.triesLeft === 1 ? "try" : "tries"} left).` }
        : { text: fill("That code is not right, and that was the last try: the waiting {network} login is discarded. Send `login` to start again.", network) };
    case "failed":
      return { text: fill("The waiting {network} login could not be finished on the bridge's side and is discarded. Send `login` to start again.", network) };
  }
}

// mautrix-go bridgev2's `login [flow ID]` (bridgev2/commands/login.go), the flow's input on the same line.
const loginToken: Command = {
  name: "login token",
  args: [{ name: "token" }],
  help: "Log in with a personal access token instead of a link. I remove your message with the token at once.",
  needsLogin: false,
  secret: true,
  offered: (services) => services.offersTokenLogin(),
  run: async (ctx, [token]) => tokenReply(await ctx.services.loginWithToken(ctx.mxid, token)),
};

/** Never quotes the token: only the result's kind and the network's and account's names are shown. */
function tokenReply(result: TokenLoginResult): Reply {
  const { network } = result;
  switch (result.kind) {
    case "logged-in":
      return { text: `Token accepted: your Matrix account now uses the ${network} account ${clip(result.username)}.` };
    case "not-offered":
      return { text: `${network} offers no token login here. Send \`login\` for a link to log in with ${network}.` };
    case "refused":
      return { text: `${network} did not accept that token (mistyped, expired or revoked?). Nothing was stored.` };
    case "unavailable":
      return { text: `Could not ask ${network} about that token just now. Nothing was stored; try again in a moment.` };
  }
}

const LOGOUT_ANSWERS: Record<LogoutResult, string> = {
  "logged-out": "You are logged out. Your token is forgotten and your {network} {rooms} are no longer bridged.",
  "login-cancelled": "You were not logged in. Your login links and the {network} login waiting for its code are discarded.",
  "not-logged-in": "You were not logged in.",
};

const logout: Command = {
  name: "logout",
  args: [],
  help: "Forget your {network} login and close your bridged rooms.",
  needsLogin: false,
  run: async (ctx) => ({ text: fill(LOGOUT_ANSWERS[await ctx.services.logout(ctx.mxid)], ctx.services.network) }),
};

const status: Command = {
  name: "status",
  args: [],
  help: "Show whether you are logged in and connected to {network}.",
  needsLogin: false,
  run: async (ctx) => {
    const s = await ctx.services.status(ctx.mxid);
    if (!s.loggedIn) return { text: `You are not logged in. Send \`login\` to start.\nBridge: ${VERSION_TEXT}.` };
    return {
      text:
        `Logged in to ${s.network ?? ctx.services.network.name} as ${s.gitterUsername}. Connection: ${s.connection ?? "unknown"}. Bridged rooms: ${s.portals ?? 0}.` +
        `\nBridge: ${VERSION_TEXT}.`,
    };
  },
};

const list: Command = {
  name: "list",
  args: [],
  help: "List your {network} {rooms} (* marks those open in Matrix).",
  needsLogin: true,
  run: async (ctx) => {
    const { network } = ctx.services;
    const rooms = await ctx.services.listRooms(ctx.mxid);
    if (rooms.length === 0) return { text: fill("You are not in any {network} {room} yet. Try `{join} {example}`.", network) };
    const lines = rooms.map((r) => `${r.open ? "*" : " "} ${roomLabel(r, network)}`);
    return { text: `${fill("Your {network} {rooms} (* = open in Matrix):", network)}\n${lines.join("\n")}` };
  },
};

// Mattermost's people say `join` and `part` (shown so there); Gitter's bridge always said `gjoin` and `gpart`. Both
// names work on every network.
const gjoin: Command = {
  name: "gjoin",
  aliases: ["join"],
  shownName: "{join}",
  args: [{ name: "room|username", shown: "{room}|username" }],
  help: "Join a {network} {room} ({example} or {link}), or start a {directChat} with a username.",
  needsLogin: true,
  run: async (ctx, [arg]) => {
    const { network } = ctx.services;
    const room = await ctx.services.join(ctx.mxid, target(network, arg));
    const where = room.membership === "joined" ? "You are already in its Matrix room." : "You have been invited to its Matrix room.";
    return { text: `Joined ${roomLabel(room, network)}. ${where}` };
  },
};

const gpart: Command = {
  name: "gpart",
  aliases: ["part"],
  shownName: "{part}",
  args: [{ name: "room", shown: "{room}" }],
  help: "Leave a {network} {room} (and its Matrix room).",
  needsLogin: true,
  run: async (ctx, [arg]) => {
    const { network } = ctx.services;
    const t = target(network, arg);
    const room = await ctx.services.part(ctx.mxid, t);
    return { text: `Left ${roomLabel(room, network) || describeTarget(t)} ${fill("on {network}.", network)}` };
  },
};

const invite: Command = {
  name: "invite",
  aliases: ["open"],
  args: [{ name: "room", shown: "{room}" }],
  help: "Open a Matrix room for a {network} {room} you are already in (or get invited to it again).",
  needsLogin: true,
  run: async (ctx, [arg]) => {
    const { network } = ctx.services;
    const room = await ctx.services.openPortal(ctx.mxid, target(network, arg));
    if (room.membership === "joined") return { text: `You are already in the Matrix room for ${roomLabel(room, network)}.` };
    return { text: `Invited you to the Matrix room for ${roomLabel(room, network)}.` };
  },
};

const search: Command = {
  name: "search",
  args: [{ name: "name", rest: true }],
  help: (services) => (services.network.searchesUsers ? "Search {network} {rooms} and people by name." : "Search {network} {rooms} by name."),
  needsLogin: true,
  run: async (ctx, [query]) => {
    const { network } = ctx.services;
    const people = network.searchesUsers && ctx.services.searchUsers ? ctx.services.searchUsers(ctx.mxid, query) : Promise.resolve([]);
    const [results, users] = await Promise.all([ctx.services.searchRooms(ctx.mxid, query), people]);
    const none = network.searchesUsers ? "No {network} {rooms} or people match" : "No {network} {rooms} match";
    if (results.length === 0 && users.length === 0) return { text: `${fill(none, network)} "${query}".` };
    const lines = results.map((r) => `${clip(r.uri)} (${r.userCount} people)`);
    const rooms = results.length === 0 ? [] : [`${fill("{network} {rooms} matching", network)} "${query}":`, ...lines, fill("Join one with `{join} <{room}>`.", network)];
    return { text: [...rooms, ...peopleFound(users, query, network)].join("\n") };
  },
};

/** The people a search found, and how to start a chat with one. */
function peopleFound(users: { username: string; displayName: string }[], query: string, network: CommandNetwork): string[] {
  if (users.length === 0) return [];
  const lines = users.map((u) => clip(u.displayName && u.displayName !== u.username ? `@${u.username} (${u.displayName})` : `@${u.username}`));
  return [`${fill("People on {network} matching", network)} "${query}":`, ...lines, fill("Start a {directChat} with `{join} @<username>`.", network)];
}

const doctor: Command = {
  name: "doctor",
  args: [],
  help: "Check the bridge's setup: registration, homeserver, database, {network}, login page.",
  needsLogin: false,
  permission: "admin",
  run: async (ctx) => {
    const results = await ctx.services.doctor();
    return { text: formatReport(results, REPORT_HEADING), html: formatReportHtml(results, REPORT_HEADING) };
  },
};

export const COMMANDS: readonly Command[] = [help, login, loginToken, logout, status, list, gjoin, gpart, invite, search, doctor];

/** How the command is typed: as the table names it, or in `network`'s words when given. */
export function usage(cmd: Command, network?: CommandNetwork): string {
  const shown = (text: string, template?: string) => (network && template !== undefined ? fill(template, network) : text);
  const args = cmd.args.map((a) => shown(a.name, a.shown)).map((name, i) => (cmd.args[i].optional ? `[${name}]` : `<${name}>`));
  return [commandName(cmd, network), ...args].join(" ");
}

/** The command's name, in `network`'s words when given (`join` on Mattermost for `gjoin`). */
export function commandName(cmd: Command, network?: CommandNetwork): string {
  return network && cmd.shownName !== undefined ? fill(cmd.shownName, network) : cmd.name;
}

/** The command's help in the words of the network `services` serve. */
export function helpText(cmd: Command, services: CommandServices): string {
  return fill(typeof cmd.help === "string" ? cmd.help : cmd.help(services), services.network);
}

/** The commands `permission` may use and `shown` lets through (by default all), one line each. */
export function helpReply(services: CommandServices, permission: "user" | "admin", shown: (c: Command) => boolean = () => true): Reply {
  const visible = COMMANDS.filter((c) => (c.permission !== "admin" || permission === "admin") && shown(c));
  const line = (c: Command) => ({ usage: usage(c, services.network), help: helpText(c, services) });
  return {
    text: `Commands:\n${visible.map((c) => `${line(c).usage} — ${line(c).help}`).join("\n")}`,
    html: `<p>Commands:</p><ul>${visible
      .map((c) => `<li><code>${escapeHtml(line(c).usage)}</code> — ${escapeHtml(line(c).help)}</li>`)
      .join("")}</ul>`,
  };
}
