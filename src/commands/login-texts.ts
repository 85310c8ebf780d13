// What the bot says about logging in, by the ways the network offers: a link to its OAuth pages (finished by the
// code the bridge's page shows), a personal access token sent as `login token <token>`, or both. On Gitter, which
// has the link only, every text reads as it always did.
import { escapeHtml } from "../web/pages";
import type { CommandNetwork, CommandServices, Reply } from "./types";
import { fill, tokenHowTo, tokenHowToHtml } from "./words";

/** The ways to log in now: `link` where the network has a link login (a fresh one), `token` where it takes tokens. */
export interface LoginWays {
  link?: string;
  token: boolean;
}

/** `login`'s help: the link where there is one, else the token. */
export function loginHelp(services: CommandServices): string {
  if (services.offersLinkLogin()) {
    return "Get a link to log in with your {network} account. After {network}, the bridge's page shows a code: send it as `login <code>` to finish.";
  }
  return "Say how to log in with your {network} account.";
}

/** The answer to `login`; `again`: the person is logged in, and a new login replaces theirs. */
export function loginReply(network: CommandNetwork, ways: LoginWays & { again: boolean }): Reply {
  const again = ways.again ? fill(" Logging in again replaces your current {network} login.", network) : "";
  const { link } = ways;
  if (link !== undefined) {
    const then = fill(" After {network}, the page shows a code: send it here as `login <code>`.", network);
    const token = ways.token ? ` Or ${tokenHowTo(network)}.` : "";
    const tokenHtml = ways.token ? ` Or ${tokenHowToHtml(network)}.` : "";
    return {
      text: `${fill("Open this link to log in with {network} (valid for 10 minutes, works once):", network)} ${link}${then}${token}${again}`,
      html: `<a href="${escapeHtml(link)}">${fill("Log in with {network}", network)}</a> (valid for 10 minutes, works once). ${fill("After {network}", network)}, the page shows a code: send it here as <code>login &lt;code&gt;</code>.${tokenHtml}${again}`,
    };
  }
  if (ways.token) return { text: `To log in, ${tokenHowTo(network)}.${again}`, html: `To log in, ${tokenHowToHtml(network)}.${again}` };
  return { text: fill("This bridge offers no way to log in to {network} at the moment: ask its operator.", network) };
}

/**
 * The greeting's invitation to log in (after "Hello! …"): the link, the token, or both. Text and HTML. On Gitter:
 * "To start, log in with Gitter (the link works once, for 10 minutes): <link>" and the line about the code.
 */
export function loginInvitation(network: CommandNetwork, ways: LoginWays): { text: string; html: string } {
  const { link } = ways;
  const then = fill("After {network}, the bridge's page shows a code: send it here as `login <code>`.", network);
  const thenHtml = then.replace("`login <code>`", "<code>login &lt;code&gt;</code>");
  const viaLink = link === undefined ? undefined : {
    text: `${fill("To start, log in with {network} (the link works once, for 10 minutes):", network)} ${link}\n${then}`,
    html: `<p>To start, <a href="${link}">${fill("log in with {network}", network)}</a> (the link works once, for 10 minutes). ${thenHtml}</p>`,
  };
  const token = ways.token ? { text: tokenHowTo(network), html: tokenHowToHtml(network) } : undefined;
  if (viaLink && token) return { text: `${viaLink.text}\nOr ${token.text}.`, html: `${viaLink.html}<p>Or ${token.html}.</p>` };
  if (viaLink) return viaLink;
  if (token) return { text: `To start, ${token.text}.`, html: `<p>To start, ${token.html}.</p>` };
  const none = fill("This bridge offers no way to log in to {network} at the moment: ask its operator.", network);
  return { text: none, html: `<p>${escapeHtml(none)}</p>` };
}

/** How to log in again after the network stopped taking the login, the end of "Log in again to resume…". */
export function loginAgain(network: CommandNetwork, ways: LoginWays): string {
  const token = ways.token ? tokenHowTo(network) : undefined;
  if (ways.link !== undefined) return `Log in again to resume: ${ways.link}${token ? ` (or ${token})` : ""}`;
  if (token) return `To resume, ${token}.`;
  return "Ask the bridge's operator how to log in again.";
}
