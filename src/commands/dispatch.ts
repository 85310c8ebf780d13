// Turns a line typed in the control room into a command call. Every input gets an answer: unknown and
// malformed commands get usage, failures get a person-facing message (details go to the log only).
import { faultOf } from "../util/errors";
import { getLogger } from "../util/log";
import { COMMANDS, commandName, helpText, usage } from "./table";
import { UserFacingError, type Command, type CommandContext, type Reply } from "./types";

const log = getLogger("commands");
const MAX_LINE = 1000;

export function findCommand(name: string): Command | undefined {
  const n = name.toLowerCase();
  return COMMANDS.find((c) => c.name === n || c.aliases?.includes(n));
}

/** The command a parsed line names: a two-word one (`login token`) first, then the first word's. */
function lookup(parsed: { name: string; rest: string }): { cmd: Command; rest: string } | undefined {
  const sub = /^(\S+)\s*([\s\S]*)$/.exec(parsed.rest);
  const two = sub ? findCommand(`${parsed.name} ${sub[1]}`) : undefined;
  if (two && sub) return { cmd: two, rest: sub[2].trim() };
  const one = findCommand(parsed.name);
  return one ? { cmd: one, rest: parsed.rest } : undefined;
}

/** Whether the line is a command carrying a secret (`login token <token>`), which must not stay in the room. */
export function carriesSecret(line: string): boolean {
  const parsed = parseLine(line);
  return parsed !== null && lookup(parsed)?.cmd.secret === true;
}

/** Splits a line into the command name and its arguments as the command's arg spec asks. */
export function parseLine(line: string): { name: string; rest: string } | null {
  const trimmed = line.trim().replace(/^!/, "");
  if (!trimmed) return null;
  const m = /^(\S+)\s*([\s\S]*)$/.exec(trimmed);
  return m ? { name: m[1], rest: m[2].trim() } : null;
}

function splitArgs(cmd: Command, rest: string): string[] | null {
  const words = rest ? rest.split(/\s+/) : [];
  const required = cmd.args.filter((a) => !a.optional).length;
  const restArg = cmd.args.find((a) => a.rest);
  if (restArg) return rest ? (restArg.shape && !restArg.shape.test(rest) ? null : [rest]) : required ? null : [];
  if (words.length < required || words.length > cmd.args.length) return null;
  return words;
}

export async function dispatch(ctx: CommandContext, line: string): Promise<Reply> {
  if (line.length > MAX_LINE) return { text: `That message is too long to be a command. Send \`help\` for the list.` };
  const parsed = parseLine(line);
  if (!parsed) return { text: "Send `help` for the list of commands." };
  const found = lookup(parsed);
  if (!found || (found.cmd.permission === "admin" && ctx.permission !== "admin")) {
    return { text: `Unknown command${echoable(parsed.name) ? ` "${parsed.name}"` : ""}. Send \`help\` for the list of commands.` };
  }
  const { cmd } = found;
  const args = splitArgs(cmd, found.rest);
  if (!args) return { text: `Usage: ${usage(cmd, ctx.services.network)} — ${helpText(cmd, ctx.services)}` };
  if (cmd.needsLogin && !ctx.loggedIn) return { text: "You need to log in first: send `login`." };
  try {
    return await cmd.run(ctx, args);
  } catch (err) {
    if (err instanceof UserFacingError) return { text: err.personMessage };
    log.error("command failed", { command: cmd.name, mxid: ctx.mxid, error: err as Error });
    return { text: failureText(commandName(cmd, ctx.services.network), err) };
  }
}

/**
 * Says whose side failed and whether to try again, from the error's fault only: never its log message, a body
 * or anything else the error carries (which could hold a token or a server's internals).
 */
export function failureText(command: string, err: unknown): string {
  const fault = faultOf(err);
  const sorry = `Sorry, \`${command}\``;
  if (fault.side === "bridge") return `${sorry} failed on the bridge's side. Please try again in a moment.`;
  const who = fault.party.charAt(0).toUpperCase() + fault.party.slice(1);
  const code = fault.status !== undefined ? ` (${fault.status})` : "";
  if (fault.status === 429) return `${sorry} did not work: ${who} is limiting how fast the bridge may ask${code}. Try again in a minute.`;
  if (fault.transient) return `${sorry} did not work: ${who} is not answering at the moment${code}. Try again in a moment.`;
  return `${sorry} did not work: ${fault.userMessage ?? `${who} refused it${code}.`}`;
}

/**
 * Whether an unknown command's name may be quoted back: a word, as command names are. Anything else may be a
 * token pasted on its own (letters and digits, 26 or 40 long), which the bot never repeats.
 */
function echoable(name: string): boolean {
  return /^[a-z][a-z-]{0,19}$/i.test(name);
}
