// The bridge's configuration after loading: every default applied, every path absolute, every URL without a
// trailing slash. `schema.ts` is the single source of keys, defaults and descriptions; the assertion at the end
// keeps this hand-written type (kept for its readable doc comments) in step with it at compile time.

import type { CONFIG_SCHEMA, InferConfig } from "./schema";

export type PermissionLevel = "none" | "user" | "admin";
export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFormat = "auto" | "json" | "pretty";
/** SQLite's `PRAGMA synchronous`: full syncs every commit to disk, normal only at checkpoints. */
export type SqliteSynchronous = "full" | "normal";
/** The network one bridge process serves (its connector's `name`). */
export type NetworkName = "gitter" | "mattermost";

export interface HomeserverConfig {
  /** Client-server API base URL the bridge talks to, e.g. `http://127.0.0.1:8008`. */
  url: string;
  /** Server name: the part after the colon in Matrix ids. */
  domain: string;
}

export interface AppserviceConfig {
  bind: string;
  port: number;
  /** Absolute path of the registration file; the bridge reads as_token and hs_token from it. */
  registration: string;
}

export interface BridgeSection {
  botLocalpart: string;
  ghostPrefix: string;
  /** Ghost display names: `{displayName}` and `{username}` filled in (see src/convert/display-name.ts). */
  displayNameTemplate: string;
  maxPortalMembers: number;
  /** Keys are `*`, a server name, or a full Matrix id. Use `permissionFor` rather than reading this. */
  permissions: Record<string, PermissionLevel>;
}

export interface GitterOAuthConfig {
  clientId: string;
  clientSecret: string;
}

export interface GitterConfig {
  apiUrl: string;
  realtimeUrl: string;
  oauthUrl: string;
  oauth: GitterOAuthConfig;
}

export interface MattermostOAuthConfig {
  /** Both or neither: without them only the personal access token login is offered. */
  clientId: string | undefined;
  clientSecret: string | undefined;
}

export interface MattermostConfig {
  /** The server's base URL, e.g. `https://chat.example.com` (API v4, websocket and OAuth pages live under it). */
  url: string;
  oauth: MattermostOAuthConfig;
}

export interface WebConfig {
  bind: string;
  port: number;
  /** Base URL browsers reach the login pages at; the OAuth redirect is `<publicUrl>/oauth/callback`. */
  publicUrl: string;
}

export interface MetricsConfig {
  /** 0: /metrics on the web server; else a private listener of its own on `bind`. */
  port: number;
  bind: string;
}

/** What every bridge has, whatever network it serves. */
export interface CommonConfig {
  homeserver: HomeserverConfig;
  appservice: AppserviceConfig;
  bridge: BridgeSection;
  web: WebConfig;
  metrics: MetricsConfig;
  /** `sqlite:<absolute path>`, `sqlite::memory:` or a `postgres://` URL. See `databaseTarget`. */
  database: string;
  sqlite: { synchronous: SqliteSynchronous };
  encryption: { keyFile: string };
  logging: { level: LogLevel; format: LogFormat };
  media: { maxBytes: number };
}

// Only the section of the network served is loaded: another network's, if the file has one, is checked for typos
// and left out.

export interface GitterBridgeConfig extends CommonConfig {
  network: "gitter";
  gitter: GitterConfig;
  mattermost: undefined;
}

export interface MattermostBridgeConfig extends CommonConfig {
  network: "mattermost";
  mattermost: MattermostConfig;
  gitter: undefined;
}

/** One bridge process serves one network: `network` says which, and which section is sure to be there. */
export type BridgeConfig = GitterBridgeConfig | MattermostBridgeConfig;

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Assert<T extends true> = T;
type Flat<T> = { [K in keyof T]: T[K] };
/** BridgeConfig as the schema sees it: every network's section there or not (load.ts checks the chosen one is). */
type SchemaShape = Flat<
  CommonConfig & { network: NetworkName; gitter: GitterConfig | undefined; mattermost: MattermostConfig | undefined }
>;
/** Fails to compile when the schema and `BridgeConfig` disagree on a key or a type. */
export type SchemaMatchesBridgeConfig = Assert<Equal<SchemaShape, InferConfig<typeof CONFIG_SCHEMA>>>;
