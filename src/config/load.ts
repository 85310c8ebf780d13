// Reads config.yaml, checks it against the schema and returns a typed, complete BridgeConfig, or throws one
// ConfigError listing every problem, so an operator fixes the whole file in one go instead of one key per start.

import { readFileSync } from "node:fs";
import path from "node:path";
import YAML from "yaml";
import { templateProblem } from "../convert/display-name";
import { CONFIG_SCHEMA, NETWORKS, type ObjectNode } from "./schema";
import type { BridgeConfig } from "./types";
import { joinPath, validateNode } from "./validate";

/** A config or registration file that cannot be used. `errors` each start with the key path they concern. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly errors: readonly string[],
  ) {
    super(`${file} is not valid:\n${errors.map((e) => `  - ${e}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Reads and checks a config file. Throws ConfigError (never anything else) when it is missing or invalid. */
export function loadConfig(file: string): BridgeConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(file, [`cannot read the file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`]);
  }
  return parseConfig(text, file);
}

/** Checks YAML text as if read from `file` (relative paths resolve against its folder). Throws ConfigError. */
export function parseConfig(text: string, file: string): BridgeConfig {
  const raw = parseYaml(text, file);
  const result = validateConfig(raw, path.dirname(path.resolve(file)));
  if (!result.config) throw new ConfigError(file, result.errors);
  return result.config;
}

/** Parses YAML, reporting syntax errors by line; the message's source excerpt is dropped as it may hold secrets. */
export function parseYaml(text: string, file: string): unknown {
  const doc = YAML.parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(file, doc.errors.map((e) => `YAML syntax: ${e.message.split("\n")[0]!.replace(/:$/, "")}`));
  }
  return doc.toJS({ maxAliasCount: 100 });
}

/** Checks an already-parsed value. Returns the config only when there are no errors. Never throws. */
export function validateConfig(raw: unknown, baseDir: string): { config?: BridgeConfig; errors: string[] } {
  const errors: string[] = [];
  const given = (raw as { network?: unknown } | null | undefined)?.network;
  // An unknown network is reported by the walk; the defaults meanwhile are the default network's.
  const network = NETWORKS.find((n) => n === given) ?? CONFIG_SCHEMA.fields.network.default;
  const ctx = { errors, resolvePath: (p: string) => path.resolve(baseDir, p), network, networkGiven: given !== undefined && given !== null };
  const out = validateNode(raw, CONFIG_SCHEMA, "", ctx) as Record<string, unknown> | undefined;
  if (out === undefined) return { errors };
  applyMapDefaults(CONFIG_SCHEMA, out, out);
  if (errors.length > 0) return { errors };
  // Only a complete tree reaches here: every schema key was validated or defaulted, which is what the cast claims.
  const config = out as unknown as BridgeConfig;
  errors.push(...crossCheck(config));
  return errors.length > 0 ? { errors } : { config, errors };
}

// Map defaults may name other keys (`${homeserver.domain}`), so they are filled in after the rest.
function applyMapDefaults(node: ObjectNode, out: Record<string, unknown>, root: Record<string, unknown>): void {
  for (const [key, child] of Object.entries(node.fields)) {
    if (child.type === "object" && out[key] !== undefined) {
      applyMapDefaults(child, out[key] as Record<string, unknown>, root);
    } else if (child.type === "map" && out[key] === undefined && child.default) {
      const filled: Record<string, string> = {};
      for (const [k, v] of Object.entries(child.default)) filled[substitute(k, root)] = v;
      out[key] = filled;
    }
  }
}

function substitute(template: string, root: Record<string, unknown>): string {
  return template.replace(/\$\{([A-Za-z0-9_.]+)\}/g, (_, keyPath: string) => {
    let value: unknown = root;
    for (const part of keyPath.split(".")) value = (value as Record<string, unknown> | undefined)?.[part];
    return String(value);
  });
}

/** Rules that involve more than one key. */
function crossCheck(config: BridgeConfig): string[] {
  const errors: string[] = [];
  const { botLocalpart, ghostPrefix } = config.bridge;
  if (botLocalpart.startsWith(ghostPrefix)) {
    errors.push(
      `${joinPath("bridge", "botLocalpart")}: must not start with bridge.ghostPrefix (${JSON.stringify(ghostPrefix)}), ` +
        "or the bot would share the ghosts' namespace",
    );
  }
  errors.push(...mattermostOAuthProblems(config));
  const template = templateProblem(config.bridge.displayNameTemplate);
  if (template) errors.push(`${joinPath("bridge", "displayNameTemplate")}: ${template}`);
  const { appservice, web } = config;
  if (appservice.bind === web.bind && appservice.port === web.port) {
    errors.push(`web.port: must differ from appservice.port (both ${web.port} on ${web.bind})`);
  }
  if (/[?#]/.test(config.web.publicUrl)) {
    errors.push("web.publicUrl: must not contain a query (?) or fragment (#)");
  }
  return errors;
}

/** Mattermost's OAuth app is both keys or neither (then users log in with personal access tokens). */
function mattermostOAuthProblems(config: BridgeConfig): string[] {
  if (config.network !== "mattermost") return [];
  const { clientId, clientSecret } = config.mattermost.oauth;
  if ((clientId === undefined) === (clientSecret === undefined)) return [];
  const [given, missing] = clientId === undefined ? ["clientSecret", "clientId"] : ["clientId", "clientSecret"];
  return [`mattermost.oauth.${missing}: required with mattermost.oauth.${given} (give both, or neither for personal access tokens only)`];
}

/** Where Gitter sends the browser back after login; must equal the redirect URI registered for the OAuth app. */
export function oauthRedirectUri(config: BridgeConfig): string {
  return `${config.web.publicUrl}/oauth/callback`;
}
