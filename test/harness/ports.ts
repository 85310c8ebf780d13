import net from "node:net";

/**
 * A port that was free a moment ago on 127.0.0.1 (for servers that cannot listen on port 0 themselves), never one
 * this process was given before: the system may hand the same free port to two probes in a row, and a bridge given
 * it for both its appservice and its web listener refuses its config.
 */
export const freePort: () => Promise<number> = freshPorts(probePort);

/** `probe` with the ports it already gave skipped (tried a few times before giving up). */
export function freshPorts(probe: () => Promise<number>): () => Promise<number> {
  const given = new Set<number>();
  return async () => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const port = await probe();
      if (given.has(port)) continue;
      given.add(port);
      return port;
    }
    throw new Error("no port this process was not given before, after 20 tries");
  };
}

function probePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
