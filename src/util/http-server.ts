// The bridge's own listeners (appservice API, web pages, metrics) on plain node:http, started and stopped so that a
// failure to listen fails the start and a stop ends every open connection.
import http from "node:http";
import type express from "express";

// Not app.listen: since Express 5 it hands a listen error (port in use) to the callback, which would take the
// failure for success and leave the bridge running without its server.
export function listen(app: express.Express, host: string, port: number): Promise<http.Server> {
  const server = http.createServer(app);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(server);
    });
  });
}

/** The address a listener got, as a URL (the port may have been 0: any free one). */
export function urlOf(server: http.Server): string {
  const addr = server.address();
  return typeof addr === "object" && addr ? `http://${addr.address}:${addr.port}` : "";
}

/** Stops listening and ends open connections, keep-alive ones included. */
export function close(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
