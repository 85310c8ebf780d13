// The config module's public face: import from "../config" rather than its files.

export type * from "./types";
export { CONFIG_SCHEMA, type SchemaNode } from "./schema";
export { ConfigError, loadConfig, parseConfig, validateConfig, oauthRedirectUri } from "./load";
export { permissionFor, hasPermission, type PermissionSource } from "./permissions";
export {
  generateRegistration,
  writeRegistration,
  loadRegistration,
  checkRegistration,
  type Registration,
  type Namespace,
} from "./registration";
