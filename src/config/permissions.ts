// Who may use the bridge. The most specific entry wins, so an operator can open the bridge to a server and still
// shut out (or promote) one user of it.

import type { PermissionLevel } from "./types";

/** A BridgeConfig, or anything carrying its permissions table. */
export interface PermissionSource {
  readonly bridge: { readonly permissions: Readonly<Record<string, PermissionLevel>> };
}

const RANK: Record<PermissionLevel, number> = { none: 0, user: 1, admin: 2 };

/** The level granted to `mxid`: its own entry, else its server's, else `*`, else none. Pure; never throws. */
export function permissionFor(config: PermissionSource, mxid: string): PermissionLevel {
  const server = serverOf(mxid);
  if (server === null) return "none";
  const entries = Object.entries(config.bridge.permissions);
  const exact = entries.find(([key]) => key === mxid);
  if (exact) return exact[1];
  // Server names compare without case, as DNS names do.
  const byServer = entries.find(([key]) => !key.startsWith("@") && key.toLowerCase() === server.toLowerCase());
  if (byServer) return byServer[1];
  return config.bridge.permissions["*"] ?? "none";
}

/** Whether `mxid` has at least `needed`; admin implies user. */
export function hasPermission(config: PermissionSource, mxid: string, needed: "user" | "admin"): boolean {
  return RANK[permissionFor(config, mxid)] >= RANK[needed];
}

/** The server name of a user id (`@local:server`, where server may carry a port), or null if it is not one. */
function serverOf(mxid: string): string | null {
  const match = /^@[^:]+:(.+)$/.exec(mxid);
  return match ? match[1]! : null;
}
