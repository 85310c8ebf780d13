// Every bot command, one entry each. Help and usage text are generated from these entries.
import { describeTarget, parseGitterTarget } from "./targets";
import { UserFacingError, type Command, type GitterRoomSummary, type GitterTarget, type LoginCodeResult, type LogoutResult, type Reply, type TokenLoginResult } from "./types";
import { escapeHtml } from "../web/pages";
import { formatReport, formatReportHtml, REPORT_HEADING } from "../doctor/report";
import { VERSION_TEXT } from "../version";

function target(arg: string): GitterTarget {
  const parsed = parseGitterTarget(arg);
  if (!parsed.ok) throw new UserFacingError(`That does not look right: ${parsed.problem}.`);
  return parsed.target;
}

/** Names come from Gitter: a huge one must not push a reply past Matrix's event size limit. */
function clip(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function roomLabel(r: GitterRoomSummary): string {
  return clip(r.oneToOne ? `${r.name} (one-to-one)` : (r.uri ?? r.name));
}

const help: Command = {
  name: "help",
  args: [],
  help: "Show this list of commands.",
  needsLogin: false,
  run: async (ctx) => helpReply(ctx.permission, (c) => c.offered?.(ctx.services) ?? true),
};

const login: Command = {
  name: "login",
  args: [{ name: "code", optional: true }],
  help:
    "Get a link to log in with your Gitter account. After Gitter, the bridge's page shows a code: send it as `login <code>` to finish.",
  needsLogin: false,
  run: async (ctx, [code]) => {
    if (code !== undefined) return codeReply(await ctx.services.confirmLogin(ctx.mxid, code));
    const link = await ctx.services.loginLink(ctx.mxid);
    const again = ctx.loggedIn ? " Logging in again replaces your current Gitter login." : "";
    const then = " After Gitter, the page shows a code: send it here as `login <code>`.";
    return {
      text: `Open this link to log in with Gitter (valid for 10 minutes, works once): ${link}${then}${again}`,
      html: `<a href="${escapeHtml(link)}">Log in with Gitter</a> (valid for 10 minutes, works once). After Gitter, the page shows a code: send it here as <code>login &lt;code&gt;</code>.${again}`,
    };
  },
};

function codeReply(result: LoginCodeResult): Reply {
  switch (result.kind) {
    case "logged-in":
      return { text: `Code accepted: your Matrix account now uses the Gitter account ${clip(result.gitterUsername)}.` };
    case "none":
      return { text: "No Gitter login is waiting for a code from your Matrix account (or it expired). Send `login` for a new link." };
    case "wrong":
      return result.triesLeft > 0
        ? { text: `That code is not right. Check it on the bridge's page and send \`login <code>\` again (${result.triesLeft} ${result.triesLeft === 1 ? "try" : "tries"} left).` }
        : { text: "That code is not right, and that was the last try: the waiting Gitter login is discarded. Send `login` to start again." };
    case "failed":
      return { text: "The waiting Gitter login could not be finished on the bridge's side and is discarded. Send `login` to start again." };
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
  "logged-out": "You are logged out. Your token is forgotten and your Gitter rooms are no longer bridged.",
  "login-cancelled": "You were not logged in. Your login links and the Gitter login waiting for its code are discarded.",
  "not-logged-in": "You were not logged in.",
};

const logout: Command = {
  name: "logout",
  args: [],
  help: "Forget your Gitter login and close your bridged rooms.",
  needsLogin: false,
  run: async (ctx) => ({ text: LOGOUT_ANSWERS[await ctx.services.logout(ctx.mxid)] }),
};

const status: Command = {
  name: "status",
  args: [],
  help: "Show whether you are logged in and connected to Gitter.",
  needsLogin: false,
  run: async (ctx) => {
    const s = await ctx.services.status(ctx.mxid);
    if (!s.loggedIn) return { text: `You are not logged in. Send \`login\` to start.\nBridge: ${VERSION_TEXT}.` };
    return {
      text:
        `Logged in to ${s.network ?? "Gitter"} as ${s.gitterUsername}. Connection: ${s.connection ?? "unknown"}. Bridged rooms: ${s.portals ?? 0}.` +
        `\nBridge: ${VERSION_TEXT}.`,
    };
  },
};

const list: Command = {
  name: "list",
  args: [],
  help: "List your Gitter rooms (* marks those open in Matrix).",
  needsLogin: true,
  run: async (ctx) => {
    const rooms = await ctx.services.listRooms(ctx.mxid);
    if (rooms.length === 0) return { text: "You are not in any Gitter room yet. Try `gjoin org/room`." };
    const lines = rooms.map((r) => `${r.open ? "*" : " "} ${roomLabel(r)}`);
    return { text: `Your Gitter rooms (* = open in Matrix):\n${lines.join("\n")}` };
  },
};

const gjoin: Command = {
  name: "gjoin",
  aliases: ["join"],
  args: [{ name: "room|username" }],
  help: "Join a Gitter room (org/room or a Gitter link), or start a one-to-one chat with a username.",
  needsLogin: true,
  run: async (ctx, [arg]) => {
    const room = await ctx.services.join(ctx.mxid, target(arg));
    const where = room.membership === "joined" ? "You are already in its Matrix room." : "You have been invited to its Matrix room.";
    return { text: `Joined ${roomLabel(room)}. ${where}` };
  },
};

const gpart: Command = {
  name: "gpart",
  aliases: ["part"],
  args: [{ name: "room" }],
  help: "Leave a Gitter room (and its Matrix room).",
  needsLogin: true,
  run: async (ctx, [arg]) => {
    const t = target(arg);
    const room = await ctx.services.part(ctx.mxid, t);
    return { text: `Left ${roomLabel(room) || describeTarget(t)} on Gitter.` };
  },
};

const invite: Command = {
  name: "invite",
  aliases: ["open"],
  args: [{ name: "room" }],
  help: "Open a Matrix room for a Gitter room you are already in (or get invited to it again).",
  needsLogin: true,
  run: async (ctx, [arg]) => {
    const room = await ctx.services.openPortal(ctx.mxid, target(arg));
    if (room.membership === "joined") return { text: `You are already in the Matrix room for ${roomLabel(room)}.` };
    return { text: `Invited you to the Matrix room for ${roomLabel(room)}.` };
  },
};

const search: Command = {
  name: "search",
  args: [{ name: "name", rest: true }],
  help: "Search Gitter rooms by name.",
  needsLogin: true,
  run: async (ctx, [query]) => {
    const results = await ctx.services.searchRooms(ctx.mxid, query);
    if (results.length === 0) return { text: `No Gitter rooms match "${query}".` };
    const lines = results.map((r) => `${clip(r.uri)} (${r.userCount} people)`);
    return { text: `Gitter rooms matching "${query}":\n${lines.join("\n")}\nJoin one with \`gjoin <room>\`.` };
  },
};

const doctor: Command = {
  name: "doctor",
  args: [],
  help: "Check the bridge's setup: registration, homeserver, database, Gitter, login page.",
  needsLogin: false,
  permission: "admin",
  run: async (ctx) => {
    const results = await ctx.services.doctor();
    return { text: formatReport(results, REPORT_HEADING), html: formatReportHtml(results, REPORT_HEADING) };
  },
};

export const COMMANDS: readonly Command[] = [help, login, loginToken, logout, status, list, gjoin, gpart, invite, search, doctor];

export function usage(cmd: Command): string {
  const args = cmd.args.map((a) => (a.optional ? `[${a.name}]` : `<${a.name}>`));
  return [cmd.name, ...args].join(" ");
}

/** The commands `permission` may use and `shown` lets through (by default all), one line each. */
export function helpReply(permission: "user" | "admin", shown: (c: Command) => boolean = () => true): Reply {
  const visible = COMMANDS.filter((c) => (c.permission !== "admin" || permission === "admin") && shown(c));
  const lines = visible.map((c) => `${usage(c)} — ${c.help}`);
  return {
    text: `Commands:\n${lines.join("\n")}`,
    html: `<p>Commands:</p><ul>${visible
      .map((c) => `<li><code>${escapeHtml(usage(c))}</code> — ${escapeHtml(c.help)}</li>`)
      .join("")}</ul>`,
  };
}
