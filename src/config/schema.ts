// Every configuration key, as data: type, required or default, allowed values, description. The loader walks
// this tree, and a configuration reference can be generated from it, so the two cannot drift apart.
// Patterns are strings (not RegExp) so the schema stays plain JSON.
import { DEFAULT_DISPLAY_NAME_TEMPLATE } from "../convert/display-name";
import { GITTER_SECTION, MATTERMOST_SECTION } from "./schema-networks";
import { url, type IntegerNode, type ObjectNode } from "./schema-nodes";

export type { InferConfig, IntegerNode, MapNode, ObjectNode, SchemaNode, StringNode } from "./schema-nodes";

// A Matrix server name: DNS name, IPv4 or [IPv6] literal, optional port.
const SERVER_NAME = String.raw`(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::[0-9]{1,5})?`;
const LOCALPART = String.raw`^[a-z0-9._=/-]+$`;
const LOCALPART_HINT = "lowercase letters, digits and . _ = - / only";

const port = (dflt: number, description: string): IntegerNode => ({
  type: "integer",
  min: 1,
  max: 65535,
  default: dflt,
  description,
});

/** The networks a bridge can serve, as `network` names them (the connectors' `name`). */
export const NETWORKS = ["gitter", "mattermost"] as const;

export const CONFIG_SCHEMA = {
  type: "object",
  description: "gitter-bridge configuration",
  fields: {
    network: {
      type: "string",
      enum: NETWORKS,
      default: "gitter",
      description:
        "The network this bridge serves: gitter (its section is gitter) or mattermost (its section is mattermost). " +
        "One bridge process serves one network; to bridge both, run two, each with its own registration, bot, ghost " +
        "prefix and database. Several defaults below follow it.",
    },
    homeserver: {
      type: "object",
      description: "The Matrix homeserver the bridge is registered with.",
      fields: {
        url: url("Client-server API URL of the homeserver, as the bridge reaches it (e.g. http://127.0.0.1:8008)."),
        domain: {
          type: "string",
          required: true,
          pattern: `^${SERVER_NAME}$`,
          patternHint: "a server name like example.org or localhost:8448",
          description: "The homeserver's server name: the part after the colon in Matrix ids (@alice:example.org).",
        },
      },
    },
    appservice: {
      type: "object",
      description: "Where the homeserver pushes events to the bridge.",
      fields: {
        bind: {
          type: "string",
          default: "127.0.0.1",
          description: "Address the appservice listener binds to. Keep it on loopback unless Synapse runs elsewhere.",
        },
        port: port(9898, "Port of the appservice listener; the registration's url must point here."),
        registration: {
          type: "string",
          format: "path",
          default: "./registration.yaml",
          description:
            "Path of the appservice registration file written by --generate-registration. The bridge reads " +
            "as_token and hs_token from it, so the secrets live in one place. Relative to this file's folder.",
        },
      },
    },
    bridge: {
      type: "object",
      description: "How the network appears on Matrix, and who may use the bridge.",
      fields: {
        botLocalpart: {
          type: "string",
          default: "gitter",
          networkDefaults: { mattermost: "mattermost" },
          pattern: LOCALPART,
          patternHint: LOCALPART_HINT,
          description: "Localpart of the bridge bot (@gitter:<domain>) that users talk to for login and commands.",
        },
        ghostPrefix: {
          type: "string",
          default: "gitter_",
          networkDefaults: { mattermost: "mattermost_" },
          pattern: LOCALPART,
          patternHint: LOCALPART_HINT,
          description:
            "Localpart prefix of ghost users standing for the network's users (@gitter_<username>:<domain>; " +
            "@mattermost_<username>:<domain> on Mattermost).",
        },
        displayNameTemplate: {
          type: "string",
          default: DEFAULT_DISPLAY_NAME_TEMPLATE,
          networkDefaults: { mattermost: "{displayName} (Mattermost)" },
          description:
            "How a ghost's display name is made from the network user's: {displayName} (cleaned of control and " +
            "invisible characters; the username when empty) and {username} are replaced, the rest is kept. The " +
            "default's suffix keeps a network user from passing for a Matrix user or the bot. Names are cut to " +
            "Synapse's 256-character limit by shortening the placeholders, never the template's own text.",
        },
        maxPortalMembers: {
          type: "integer",
          min: 1,
          max: 1000000,
          default: 100,
          description:
            "Most members of a network room the bridge brings into its portal as ghosts when the portal opens (the " +
            "most recently active first), so a huge room cannot flood the homeserver with ghosts.",
        },
        permissions: {
          type: "map",
          keyPattern: `^(?:\\*|@[^:\\s]+:${SERVER_NAME}|${SERVER_NAME})$`,
          keyHint: '"*", a server name like example.org, or a Matrix id like @alice:example.org',
          value: {
            type: "string",
            enum: ["none", "user", "admin"],
            description: "none: ignored; user: may log in and bridge rooms; admin: also bridge administration.",
          },
          default: { "${homeserver.domain}": "user" },
          description:
            'Who may use the bridge. Keys are "*" (anyone), a server name (its users) or a Matrix id; the most ' +
            "specific key wins (Matrix id, then server name, then *). Values: none, user or admin (admin implies user).",
        },
      },
    },
    gitter: GITTER_SECTION,
    mattermost: MATTERMOST_SECTION,
    web: {
      type: "object",
      description: "The bridge's own web server: OAuth login pages, health and metrics.",
      fields: {
        bind: { type: "string", default: "127.0.0.1", description: "Address the web server binds to." },
        port: port(9899, "Port of the web server."),
        publicUrl: url(
          "URL users' browsers reach the web server at (through any reverse proxy). The OAuth redirect URI is " +
            "<publicUrl>/oauth/callback and must equal the one registered for the OAuth app. Files shared from " +
            "Matrix are linked on the network as <publicUrl>/media/..., so its readers must be able to reach it too.",
        ),
      },
    },
    metrics: {
      type: "object",
      description: "Where Prometheus reads /metrics.",
      fields: {
        port: {
          type: "integer",
          min: 0,
          max: 65535,
          default: 0,
          description:
            "0: /metrics is served on the web server (web.port), beside the login pages. Any other port: /metrics " +
            "gets a listener of its own on metrics.bind and is no longer on the web server, so a public reverse " +
            "proxy in front of web.port cannot expose it.",
        },
        bind: { type: "string", default: "127.0.0.1", description: "Address the metrics listener binds to (when metrics.port is set)." },
      },
    },
    database: {
      type: "string",
      format: "database",
      secret: true,
      default: "sqlite:./data/gitter-bridge.db",
      networkDefaults: { mattermost: "sqlite:./data/mattermost-bridge.db" },
      description:
        "Where the bridge keeps its state: sqlite:<path> (relative to this file's folder) or " +
        "postgres://user:password@host/dbname.",
    },
    sqlite: {
      type: "object",
      description: "SQLite only; ignored when database is a postgres:// URL.",
      fields: {
        synchronous: {
          type: "string",
          enum: ["full", "normal"],
          default: "full",
          description:
            "full: every commit reaches the disk before the bridge goes on, so what it has recorded (a homeserver " +
            "transaction before it answers 200, a message's send intent and link) survives a power cut or a kernel " +
            "crash. normal: commits are written but synced to disk only at checkpoints; cheaper (BENCHMARKS.md says " +
            "how much) and still safe when the bridge alone is killed, but a power cut or kernel crash may take back " +
            "the last commits: transactions the homeserver was told were received (their messages never reach " +
            "Gitter) and records of messages already posted (which may then be posted twice).",
        },
      },
    },
    encryption: {
      type: "object",
      description: "Encryption of stored network tokens.",
      fields: {
        keyFile: {
          type: "string",
          format: "path",
          default: "./data/gitter-bridge.key",
          networkDefaults: { mattermost: "./data/mattermost-bridge.key" },
          description:
            "File holding the key that encrypts stored network tokens; created on first start. Losing it means " +
            "every user has to log in again. Relative to this file's folder.",
        },
      },
    },
    logging: {
      type: "object",
      description: "Log output.",
      fields: {
        level: { type: "string", enum: ["debug", "info", "warn", "error"], default: "info", description: "Least severe level written." },
        format: {
          type: "string",
          enum: ["auto", "json", "pretty"],
          default: "auto",
          description: "json: one JSON object per line; pretty: readable lines; auto: pretty on a terminal, else json.",
        },
      },
    },
    media: {
      type: "object",
      description: "Files and images passed between the network and Matrix.",
      fields: {
        maxBytes: {
          type: "integer",
          min: 1,
          max: 1073741824,
          default: 10485760,
          description: "Largest file, in bytes, the bridge copies across (default 10 MiB).",
        },
      },
    },
  },
} as const satisfies ObjectNode;
