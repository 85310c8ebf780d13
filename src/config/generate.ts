// `gitter-bridge --generate-registration`: writes a fresh registration and tells the operator what to do next.
// The text names files and steps only: the tokens stay in the file.

import path from "node:path";
import { generateRegistration, writeRegistration } from "./registration";
import type { BridgeConfig } from "./types";

export interface GenerateOptions {
  /** The config file the registration was made for, as the operator named it. */
  configFile: string;
  /** Where the homeserver reaches the appservice listener; already checked to be an http(s) URL. */
  url: string;
  /** Defaults to the config's appservice.registration. */
  output?: string;
}

/** Writes the file (0600, replacing any earlier one) and returns the message for the operator. Throws on I/O errors. */
export function generateRegistrationFile(config: BridgeConfig, options: GenerateOptions): string {
  const output = options.output ? path.resolve(options.output) : config.appservice.registration;
  // The homeserver appends /_matrix/app/... to the url; a trailing slash would double it.
  writeRegistration(output, generateRegistration(config, options.url.replace(/\/+$/, "")));
  const lines = [
    `Wrote the appservice registration to ${output} (mode 0600: it holds the bridge's secrets).`,
    "",
    "Next steps:",
    "  1. List it in Synapse's homeserver.yaml (Synapse must be able to read the file):",
    "       app_service_config_files:",
    `         - ${output}`,
    "  2. Restart Synapse so it loads the registration.",
    `  3. Start the bridge: gitter-bridge --config ${path.resolve(options.configFile)}`,
  ];
  if (output !== config.appservice.registration) {
    lines.push(
      "",
      `Note: the config reads the registration from ${config.appservice.registration} (appservice.registration).`,
      `      Set appservice.registration to ${output}, or move the file there, before starting the bridge`,
      `      (or start it with -f ${output}).`,
    );
  }
  return lines.join("\n") + "\n";
}
