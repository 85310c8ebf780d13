// The network interface the core owns: see ./connector (connector, client), ./convert (message conversion),
// ./realtime (stream and events), ./types (values) and ./errors (the one error class). Nothing in src/network imports a network or Matrix.
export * from "./connector";
export * from "./convert";
export * from "./errors";
export * from "./realtime";
export * from "./terms";
export * from "./types";
