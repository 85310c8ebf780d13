// The sections of the configuration schema (./schema.ts) that one network each reads: `gitter` when network is
// gitter, `mattermost` when it is mattermost.
import { url, type ObjectNode } from "./schema-nodes";

export const GITTER_SECTION = {
  type: "object",
  network: "gitter",
  description: "The Gitter service. Point these at an emulator for tests and demos. Read when network is gitter.",
  fields: {
    apiUrl: url("REST API base URL (without /v1).", "https://api.gitter.im"),
    realtimeUrl: url("Faye/Bayeux realtime endpoint.", "https://ws.gitter.im/bayeux"),
    oauthUrl: url("Web host serving /login/oauth/authorize and /login/oauth/token.", "https://gitter.im"),
    oauth: {
      type: "object",
      description: "The OAuth application registered with Gitter for this bridge.",
      fields: {
        clientId: { type: "string", required: true, description: "OAuth client id (\"key\") of the app." },
        clientSecret: {
          type: "string",
          required: true,
          secret: true,
          description: "OAuth client secret of the app. Keep this file readable by the bridge only.",
        },
      },
    },
  },
} as const satisfies ObjectNode;

export const MATTERMOST_SECTION = {
  type: "object",
  network: "mattermost",
  description: "The Mattermost server. Point it at the emulator for tests and demos. Read when network is mattermost.",
  fields: {
    url: url("The server's base URL, as its users open it (e.g. https://chat.example.com): API v4, the websocket and the OAuth pages live under it."),
    oauth: {
      type: "object",
      description:
        "The OAuth 2.0 app registered on the server for this bridge (Integrations > OAuth 2.0 Applications; the " +
        "server needs EnableOAuthServiceProvider). Leave both keys out on a server without the OAuth provider: " +
        "users then log in with a personal access token.",
      fields: {
        clientId: { type: "string", optional: true, description: "Client id of the app (26 characters)." },
        clientSecret: {
          type: "string",
          optional: true,
          secret: true,
          description: "Client secret of the app. Keep this file readable by the bridge only.",
        },
      },
    },
  },
} as const satisfies ObjectNode;
