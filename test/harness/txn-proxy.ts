// A small HTTP proxy between the homeserver and the bridge's appservice port, for e2e tests: it passes every request
// through and records the transactions, or holds back one transaction (never forwarded, never answered) so that the
// homeserver can be stopped while that transaction is on its way.
import http from "node:http";

export interface SeenTransaction {
  txnId: string;
  /** The message bodies (content.body) of the transaction's events. */
  bodies: string[];
  /** How the bridge answered; "held" when the proxy kept the transaction back. */
  status: number | "held";
  /** When it reached the proxy (ms since the epoch). */
  at: number;
}

export interface TxnProxy {
  url: string;
  /** Every transaction the homeserver sent through the proxy, in arrival order. */
  seen: SeenTransaction[];
  /** Holds back the next transaction carrying a message whose body matches `re`; resolves with its id. */
  holdNext(re: RegExp): Promise<string>;
  stop(): Promise<void>;
}

type Hold = { re: RegExp; resolve: (txnId: string) => void };

export async function startTxnProxy(targetPort: number): Promise<TxnProxy> {
  const seen: SeenTransaction[] = [];
  let hold: Hold | null = null;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const txnId = /\/transactions\/([^/?]+)/.exec(req.url ?? "")?.[1];
      const seenTxn = txnId === undefined ? null : { txnId: decodeURIComponent(txnId), bodies: bodiesOf(body), status: 0 as SeenTransaction["status"], at: Date.now() };
      if (seenTxn) seen.push(seenTxn);
      if (seenTxn && hold && seenTxn.bodies.some((b) => hold!.re.test(b))) {
        seenTxn.status = "held";
        hold.resolve(seenTxn.txnId);
        hold = null;
        return; // no answer: the homeserver waits until it gives up or stops
      }
      forward(targetPort, req, body, res, (status) => seenTxn && (seenTxn.status = status));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    holdNext: (re) => new Promise((resolve) => (hold = { re, resolve })),
    stop: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function forward(port: number, req: http.IncomingMessage, body: Buffer, res: http.ServerResponse, answered: (status: number) => void): void {
  const out = http.request({ host: "127.0.0.1", port, method: req.method, path: req.url, headers: req.headers }, (back) => {
    answered(back.statusCode ?? 0);
    res.writeHead(back.statusCode ?? 502, back.headers);
    back.pipe(res);
  });
  out.on("error", () => {
    answered(502);
    if (!res.headersSent) res.writeHead(502).end();
    else res.destroy();
  });
  out.end(body);
}

function bodiesOf(body: Buffer): string[] {
  try {
    const parsed = JSON.parse(body.toString("utf8")) as { events?: Array<{ content?: { body?: unknown } }> };
    return (parsed.events ?? []).map((e) => e.content?.body).filter((b): b is string => typeof b === "string");
  } catch {
    return [];
  }
}
