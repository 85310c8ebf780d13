// A stand-in for Gitter's REST API for unit tests: real HTTP on 127.0.0.1, scripted answers, every request recorded.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}
export type Handler = (req: Seen, res: http.ServerResponse, index: number) => void;

/** A stand-in for Gitter that records every request and lets each test script the answers. */
export class FakeGitter {
  readonly seen: Seen[] = [];
  handler: Handler = (_req, res) => json(res, 200, {});
  private readonly server = http.createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (body += c));
    req.on("end", () => {
      const seen = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body };
      this.seen.push(seen);
      this.handler(seen, res, this.seen.length - 1);
    });
  });
  url = "";

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  reset(handler: Handler): void {
    this.seen.length = 0;
    this.handler = handler;
  }
}

export function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function rateHeaders(remaining: number, resetAt: number): Record<string, string> {
  return { "X-RateLimit-Limit": "100", "X-RateLimit-Remaining": String(remaining), "X-RateLimit-Reset": String(resetAt) };
}

/** Well-formed entities for answers whose content a test does not care about (the client checks shapes). */
export const SAMPLE = {
  user: { id: "5f0000000000000000000001", username: "alice", displayName: "Alice" },
  room: { id: "r1", name: "gitterHQ/gitter", oneToOne: false, uri: "gitterHQ/gitter", userCount: 2 },
  message(text = "hello", id = "5f0000000000000000000a01"): Record<string, unknown> {
    return { id, text, html: text, fromUser: SAMPLE.user };
  },
};
