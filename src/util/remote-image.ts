// Fetching an image from a URL that arrived from Gitter (a message's image, a user's avatar). The URL is
// someone else's choice, so the fetch must not become a way into the bridge's own network: only http(s), only
// image/* answers, a size cap and a timeout, and no connection to a private, loopback or link-local address
// unless the host is one the operator configured (the Gitter hosts themselves). Addresses are checked where the
// socket connects (a lookup hook), so a name that resolves to a public address when asked first and to a
// private one later gains nothing, and every redirect is checked again.
import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import net from "node:net";

export interface RemoteImageOptions {
  maxBytes: number;
  timeoutMs: number;
  /** Host names (as in URLs, lower case) fetched whatever their address: the configured Gitter hosts. */
  trustedHosts: ReadonlySet<string>;
  maxRedirects?: number;
}

export interface RemoteImage {
  bytes: Uint8Array;
  mimetype: string;
}

/** Why a remote image was not fetched; the message is safe to log (no credentials are ever in these URLs). */
export class RemoteImageError extends Error {
  override readonly name = "RemoteImageError";
}

const PRIVATE = new net.BlockList();
for (const [net4, bits] of [["0.0.0.0", 8], ["10.0.0.0", 8], ["100.64.0.0", 10], ["127.0.0.0", 8], ["169.254.0.0", 16], ["172.16.0.0", 12], ["192.0.0.0", 24], ["192.168.0.0", 16], ["198.18.0.0", 15], ["224.0.0.0", 3]] as const) {
  PRIVATE.addSubnet(net4, bits, "ipv4");
}
for (const [net6, bits] of [["::", 127], ["fc00::", 7], ["fe80::", 10], ["ff00::", 8], ["64:ff9b::", 96], ["2001:db8::", 32]] as const) {
  PRIVATE.addSubnet(net6, bits, "ipv6");
}

/** True for an address the bridge must not be sent to: private, loopback, link-local, multicast, reserved. */
export function isPrivateAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return PRIVATE.check(address, "ipv4");
  if (family !== 6) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return PRIVATE.check(mapped[1]!, "ipv4");
  return PRIVATE.check(address, "ipv6");
}

/** Fetches `url` as an image, following at most a few redirects. Throws RemoteImageError when refused or failed. */
export async function fetchRemoteImage(url: string, opts: RemoteImageOptions): Promise<RemoteImage> {
  let current = url;
  const signal = AbortSignal.timeout(opts.timeoutMs);
  for (let hop = 0; ; hop++) {
    const res = await request(current, opts, signal);
    const location = res.headers.location;
    if (res.statusCode !== undefined && res.statusCode >= 300 && res.statusCode < 400 && location) {
      res.resume();
      if (hop >= (opts.maxRedirects ?? 3)) throw new RemoteImageError("too many redirects");
      current = new URL(location, current).toString();
      continue;
    }
    try {
      return await readImage(res, opts.maxBytes);
    } catch (err) {
      throw signal.aborted ? new RemoteImageError(`not done within ${opts.timeoutMs} ms`) : err;
    }
  }
}

/** One GET; `signal` bounds the whole fetch, redirects and body included. */
function request(url: string, opts: RemoteImageOptions, signal: AbortSignal): Promise<http.IncomingMessage> {
  const target = parseTarget(url);
  const trusted = opts.trustedHosts.has(target.hostname);
  const literal = target.hostname.replace(/^\[|\]$/g, "");
  if (!trusted && net.isIP(literal) && isPrivateAddress(literal)) {
    return Promise.reject(new RemoteImageError(`refused: ${literal} is a private address`));
  }
  const get = target.protocol === "https:" ? https.get : http.get;
  return new Promise((resolve, reject) => {
    const req = get(target, { lookup: trusted ? undefined : publicLookup, headers: { accept: "image/*" }, signal }, resolve);
    req.on("error", (err) => reject(signal.aborted ? new RemoteImageError(`not done within ${opts.timeoutMs} ms`) : err));
  });
}

function parseTarget(url: string): URL {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new RemoteImageError("not a URL");
  }
  if (target.protocol !== "http:" && target.protocol !== "https:") throw new RemoteImageError(`refused: ${target.protocol} URL`);
  return target;
}

/** dns.lookup, failing when any address the name resolves to is private. */
const publicLookup: net.LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, "", 4);
    const list = addresses as dns.LookupAddress[];
    const bad = list.find((a) => isPrivateAddress(a.address));
    if (bad || list.length === 0) {
      return callback(new RemoteImageError(`refused: ${hostname} resolves to a private address`), "", 4);
    }
    if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
    callback(null, list[0]!.address, list[0]!.family);
  });
};

async function readImage(res: http.IncomingMessage, max: number): Promise<RemoteImage> {
  const mimetype = (res.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  const status = res.statusCode ?? 0;
  const declared = Number(res.headers["content-length"]);
  const refusal =
    status < 200 || status >= 300 || !mimetype.startsWith("image/")
      ? `status ${status}, type ${mimetype || "none"}`
      : Number.isFinite(declared) && declared > max
        ? `${declared} bytes is over the cap of ${max}`
        : null;
  if (refusal) {
    res.destroy();
    throw new RemoteImageError(refusal);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    total += chunk.byteLength;
    if (total > max) {
      res.destroy();
      throw new RemoteImageError(`more than ${max} bytes`);
    }
    chunks.push(chunk);
  }
  return { bytes: new Uint8Array(Buffer.concat(chunks)), mimetype };
}
