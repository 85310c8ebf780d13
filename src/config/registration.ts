// The appservice registration shared with the homeserver. It is the one home of as_token and hs_token: the
// bridge reads them from here rather than from config.yaml. Nothing in this module prints a token.

import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import YAML from "yaml";
import { ConfigError, parseYaml } from "./load";
import { describeValue, isHttpUrl } from "./validate";
import type { BridgeConfig } from "./types";

export interface Namespace {
  exclusive: boolean;
  regex: string;
}

export interface Registration {
  id: string;
  /** Where the homeserver pushes transactions; null means it pushes nothing. */
  url: string | null;
  as_token: string;
  hs_token: string;
  sender_localpart: string;
  rate_limited: boolean;
  namespaces: { users: Namespace[]; aliases: Namespace[]; rooms: Namespace[] };
  /** Asks the homeserver to push ephemeral events (read receipts) with each transaction (spec v1.13 on). */
  receive_ephemeral?: boolean;
  /** The same for homeservers that only know MSC2409's unstable name. */
  "de.sorunome.msc2409.push_ephemeral"?: boolean;
}

export const REGISTRATION_ID = "gitter-bridge";

/**
 * The registration's id for the network the config serves: a homeserver holds one registration per id, and a
 * Gitter bridge and a Mattermost bridge may both be registered with it.
 */
export function registrationId(config: BridgeConfig): string {
  return config.network === "gitter" ? REGISTRATION_ID : `${config.network}-bridge`;
}
/** Tokens in registration.example.yaml start with this; such a file must never be used as is. */
export const PLACEHOLDER_TOKEN_PREFIX = "CHANGE_ME";

/** Escapes regex metacharacters (Python `re` and JavaScript agree on these). */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export function ghostNamespaceRegex(config: BridgeConfig): string {
  return `^@${escapeRegex(config.bridge.ghostPrefix)}.*:${escapeRegex(config.homeserver.domain)}$`;
}

export function botNamespaceRegex(config: BridgeConfig): string {
  return `^@${escapeRegex(config.bridge.botLocalpart)}:${escapeRegex(config.homeserver.domain)}$`;
}

/** A fresh registration with new random tokens on every call. */
export function generateRegistration(config: BridgeConfig, url: string): Registration {
  return {
    id: registrationId(config),
    url,
    as_token: randomBytes(32).toString("hex"),
    hs_token: randomBytes(32).toString("hex"),
    sender_localpart: config.bridge.botLocalpart,
    rate_limited: false,
    namespaces: {
      users: [
        { exclusive: true, regex: ghostNamespaceRegex(config) },
        { exclusive: true, regex: botNamespaceRegex(config) },
      ],
      aliases: [],
      rooms: [],
    },
    // Both spellings: a homeserver reads the one it knows (Synapse then sends each under its own key, once per key).
    receive_ephemeral: true,
    "de.sorunome.msc2409.push_ephemeral": true,
  };
}

/**
 * Writes the registration readable by its owner only (0600), atomically: a crash never leaves a half-written
 * file, and a file that existed with looser permissions is replaced rather than rewritten in place. Creates
 * missing folders. Throws on I/O errors.
 */
export function writeRegistration(file: string, reg: Registration): void {
  const header =
    "# Appservice registration for gitter-bridge, made by `gitter-bridge --generate-registration`.\n" +
    "# Add this file to app_service_config_files in Synapse's homeserver.yaml. It holds secrets: keep it private.\n";
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, header + YAML.stringify(reg), { mode: 0o600, flag: "wx" });
    chmodSync(temp, 0o600); // the umask may have narrowed the mode; make it exactly 0600
    renameSync(temp, file);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}

/** Reads a registration file. Throws ConfigError naming each bad key; token values never appear in errors. */
export function loadRegistration(file: string): Registration {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new ConfigError(file, [`cannot read the registration file: ${code} (create it with --generate-registration)`]);
  }
  const raw = parseYaml(text, file);
  const errors: string[] = [];
  const reg = readRegistration(raw, errors);
  if (!reg || errors.length > 0) throw new ConfigError(file, errors);
  return reg;
}

function readRegistration(raw: unknown, errors: string[]): Registration | null {
  if (!isRecord(raw)) {
    errors.push(`(top level): must be a mapping of keys, got ${describeValue(raw)}`);
    return null;
  }
  const str = (key: string, secret = false): string => {
    const value = raw[key];
    if (value === undefined || value === null || value === "") errors.push(`${key}: required`);
    else if (typeof value !== "string") errors.push(`${key}: must be a string, got ${describeValue(value, secret)}`);
    else return value;
    return "";
  };
  const url = raw.url === null || raw.url === undefined ? null : str("url");
  const rateLimited = raw.rate_limited ?? true; // the homeserver's default when the key is absent
  if (typeof rateLimited !== "boolean") errors.push(`rate_limited: must be true or false, got ${describeValue(rateLimited)}`);
  const namespaces = isRecord(raw.namespaces) ? raw.namespaces : {};
  if (raw.namespaces !== undefined && !isRecord(raw.namespaces)) errors.push("namespaces: must be a mapping");
  return {
    id: str("id"),
    url,
    as_token: str("as_token", true),
    hs_token: str("hs_token", true),
    sender_localpart: str("sender_localpart"),
    rate_limited: rateLimited === true,
    namespaces: {
      users: readNamespaces(namespaces.users, "namespaces.users", errors),
      aliases: readNamespaces(namespaces.aliases, "namespaces.aliases", errors),
      rooms: readNamespaces(namespaces.rooms, "namespaces.rooms", errors),
    },
    ...readEphemeral(raw, errors),
  };
}

const EPHEMERAL_KEYS = ["receive_ephemeral", "de.sorunome.msc2409.push_ephemeral"] as const;

function readEphemeral(raw: Record<string, unknown>, errors: string[]): Partial<Registration> {
  const out: Partial<Registration> = {};
  for (const key of EPHEMERAL_KEYS) {
    const value = raw[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== "boolean") errors.push(`${key}: must be true or false, got ${describeValue(value)}`);
    else out[key] = value;
  }
  return out;
}

function readNamespaces(value: unknown, key: string, errors: string[]): Namespace[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    errors.push(`${key}: must be a list, got ${describeValue(value)}`);
    return [];
  }
  return value.flatMap((entry: unknown, i): Namespace[] => {
    const at = `${key}[${i}]`;
    if (!isRecord(entry)) {
      errors.push(`${at}: must be a mapping with exclusive and regex`);
      return [];
    }
    if (typeof entry.regex !== "string" || entry.regex === "") errors.push(`${at}.regex: required (a string)`);
    if (typeof entry.exclusive !== "boolean") errors.push(`${at}.exclusive: must be true or false`);
    return [{ exclusive: entry.exclusive === true, regex: String(entry.regex) }];
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * Every way the registration disagrees with the config, as sentences an operator can act on; empty when they
 * agree. The bridge refuses to start on any: the homeserver would route users or pushes differently than the
 * bridge expects. Pure; never throws; never mentions a token's value.
 */
export function checkRegistration(config: BridgeConfig, reg: Registration): string[] {
  return [...checkIdentity(config, reg), ...checkUserNamespaces(config, reg), ...checkEphemeral(reg)];
}

/** Read receipts reach an appservice only when it asks for ephemeral events; without them read markers stop. */
function checkEphemeral(reg: Registration): string[] {
  if (EPHEMERAL_KEYS.some((key) => reg[key] === true)) return [];
  return [
    "receive_ephemeral is not true: the homeserver would not push read receipts, so Gitter messages read in Matrix " +
      "would stay unread on Gitter (add receive_ephemeral: true and de.sorunome.msc2409.push_ephemeral: true, or " +
      "generate a new registration)",
  ];
}

/** How the registration's identity (bot, push url, tokens) disagrees with the config. Pure; never shows a token. */
export function checkIdentity(config: BridgeConfig, reg: Registration): string[] {
  const problems: string[] = [];
  const { botLocalpart } = config.bridge;
  if (reg.sender_localpart !== botLocalpart) {
    problems.push(`sender_localpart is "${reg.sender_localpart}" but bridge.botLocalpart is "${botLocalpart}"`);
  }
  if (!reg.url) problems.push("url is missing: the homeserver would not push events to the bridge");
  else if (!isHttpUrl(reg.url)) problems.push(`url must be an http:// or https:// URL, got ${describeValue(reg.url)}`);
  if (reg.as_token === reg.hs_token) problems.push("as_token and hs_token must differ");
  for (const key of ["as_token", "hs_token"] as const) {
    if (reg[key].startsWith(PLACEHOLDER_TOKEN_PREFIX)) {
      problems.push(`${key} is still the example placeholder: generate a registration with --generate-registration`);
    }
  }
  return problems;
}

/** How the users namespaces fail to claim the ghosts (exclusively) and the bot, or claim too much. Pure. */
export function checkUserNamespaces(config: BridgeConfig, reg: Registration): string[] {
  const problems: string[] = [];
  const { botLocalpart, ghostPrefix } = config.bridge;
  const domain = config.homeserver.domain;
  const users = compileNamespaces(reg.namespaces.users, problems);
  // The second sample is how the id module escapes "Alice.b-c_d/e": it uses every escape a username may need.
  const ghostProblem = [`@${ghostPrefix}alice:${domain}`, `@${ghostPrefix}_alice.b-c__d=2fe:${domain}`]
    .map((id) => coverage(users, id, `ghost users (bridge.ghostPrefix "${ghostPrefix}")`, true))
    .find((p) => p !== null);
  if (ghostProblem) problems.push(ghostProblem);
  // The homeserver reserves sender_localpart for the bridge by itself, so the bot's namespace need not be exclusive.
  const botProblem = coverage(users, `@${botLocalpart}:${domain}`, "the bridge bot", false);
  if (botProblem) problems.push(botProblem);
  const bystander = `@alice:${domain}`;
  if (users.some((ns) => ns.exclusive && ns.test(bystander))) {
    problems.push(`an exclusive users namespace also matches ordinary users such as ${bystander}: it is too broad`);
  }
  return problems;
}

interface CompiledNamespace {
  exclusive: boolean;
  test(userId: string): boolean;
}

// The homeserver applies each regex with Python's re.match, which anchors at the start only.
function compileNamespaces(list: Namespace[], problems: string[]): CompiledNamespace[] {
  return list.flatMap((ns, i) => {
    try {
      const re = new RegExp(`^(?:${ns.regex})`);
      return [{ exclusive: ns.exclusive, test: (id: string) => re.test(id) }];
    } catch {
      problems.push(`namespaces.users[${i}].regex is not a valid regular expression: ${ns.regex}`);
      return [];
    }
  });
}

/** What is wrong with how the users namespaces claim `userId`, or null. */
function coverage(users: CompiledNamespace[], userId: string, what: string, exclusive: boolean): string | null {
  const matching = users.filter((ns) => ns.test(userId));
  if (matching.length === 0) return `no users namespace covers ${what}, e.g. ${userId}`;
  if (exclusive && !matching.some((ns) => ns.exclusive)) return `the users namespace covering ${what} must be exclusive`;
  return null;
}
