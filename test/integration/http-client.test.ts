// The bridge's own HTTP client over real sockets: answers, lengths, timeouts, aborts, broken answers and
// refused connections, with the error causes the transports use to decide whether a request may be resent.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { httpSend, NOT_SENT_CODES } from "../../src/util/http";
import { freePort } from "../harness/ports";

let server: http.Server;
let base: string;
const seen: { method?: string; headers: http.IncomingHttpHeaders; body: string }[] = [];

before(async () => {
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      seen.push({ method: req.method, headers: req.headers, body });
      if (req.url === "/silent") return;
      if (req.url === "/cut") {
        res.writeHead(200, { "content-length": "100" });
        res.write("partial");
        setTimeout(() => res.socket?.destroy(), 20);
        return;
      }
      res.writeHead(201, { "content-type": "application/json", "X-RateLimit-Remaining": "7" }).end(JSON.stringify({ echo: body }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const causeCode = (err: unknown) => ((err as { cause?: { code?: string } }).cause ?? {}).code;

describe("httpSend", () => {
  it("sends the body with one content length and reads the whole answer", async () => {
    const res = await httpSend(`${base}/echo`, { method: "PUT", headers: { "Content-Length": "5", "content-type": "text/plain" }, body: "hello" });
    assert.equal(res.status, 201);
    assert.equal(res.ok, true);
    assert.equal(res.headers.get("x-ratelimit-remaining"), "7");
    assert.equal(res.headers.get("X-Missing"), null);
    assert.deepEqual(JSON.parse(await res.text()), { echo: "hello" });
    const last = seen.at(-1)!;
    assert.equal(last.headers["content-length"], "5");
    assert.equal(last.headers["transfer-encoding"], undefined);
    const utf8 = await httpSend(`${base}/echo`, { method: "POST", body: "héllo" });
    assert.deepEqual(JSON.parse(await utf8.text()), { echo: "héllo" });
    assert.equal(seen.at(-1)!.headers["content-length"], "6");
  });

  it("gives up after the timeout, saying the request had gone out", async () => {
    const err = await httpSend(`${base}/silent`, { method: "GET", timeoutMs: 100 }).catch((e: Error) => e);
    assert.equal((err as Error).name, "TimeoutError");
    assert.equal(causeCode(err), "ETIMEDOUT");
    assert.equal(NOT_SENT_CODES.has(causeCode(err)!), false);
  });

  it("stops at once when its signal aborts", async () => {
    const ac = new AbortController();
    const pending = httpSend(`${base}/silent`, { method: "GET", signal: ac.signal });
    setTimeout(() => ac.abort(), 30);
    await assert.rejects(pending, { name: "AbortError" });
    await assert.rejects(httpSend(`${base}/echo`, { method: "GET", signal: ac.signal }), { name: "AbortError" });
  });

  it("rejects an answer cut short", async () => {
    const err = await httpSend(`${base}/cut`, { method: "GET", timeoutMs: 5000 }).catch((e: Error) => e);
    assert.ok(err instanceof Error);
    assert.equal(causeCode(err), "ECONNRESET");
  });

  it("reports a refused connection as never sent", async () => {
    const port = await freePort();
    const err = await httpSend(`http://127.0.0.1:${port}/`, { method: "POST", body: "x" }).catch((e: Error) => e);
    assert.equal((err as Error).name, "HttpRequestError");
    assert.equal(causeCode(err), "ECONNREFUSED");
    assert.equal(NOT_SENT_CODES.has("ECONNREFUSED"), true);
  });
});
