// A minimal RFC 6455 server endpoint over node:http's upgrade: the handshake, text frames both ways (fragmented
// frames reassembled), ping/pong and close. Enough for JSON events; no extensions, no subprotocols.
import { createHash } from "node:crypto";
import { EventEmitter } from "node:events";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const MAX_MESSAGE = 8 * 1024 * 1024;

/** Answers the upgrade with 101; false (after a 400) when the request is not a websocket handshake. */
export function acceptUpgrade(req: IncomingMessage, socket: Duplex): boolean {
  const key = req.headers["sec-websocket-key"];
  if (typeof key !== "string" || !/websocket/i.test(req.headers.upgrade ?? "")) {
    socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    return false;
  }
  const accept = createHash("sha1").update(key + GUID).digest("base64");
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  return true;
}

function frame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  const head = len < 126 ? Buffer.alloc(2) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  head[0] = 0x80 | opcode;
  if (len < 126) head[1] = len;
  else if (len < 65536) {
    head[1] = 126;
    head.writeUInt16BE(len, 2);
  } else {
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(len), 2);
  }
  return Buffer.concat([head, payload]);
}

/** Emits "message" (text) and "close" once. */
export class WsConnection extends EventEmitter {
  private buf = Buffer.alloc(0);
  private parts: Buffer[] = [];
  private closed = false;

  constructor(private readonly socket: Duplex) {
    super();
    socket.on("data", (d: Buffer) => this.onData(d));
    socket.on("close", () => this.finish());
    socket.on("error", () => this.finish());
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  send(text: string): void {
    if (!this.closed) this.socket.write(frame(0x1, Buffer.from(text, "utf8")));
  }

  /** A clean close: the close frame, then the socket ends. */
  close(code = 1000, reason = ""): void {
    if (this.closed) return;
    const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
    payload.writeUInt16BE(code, 0);
    payload.write(reason, 2);
    this.socket.write(frame(0x8, payload));
    this.socket.end();
    this.finish();
  }

  /** Drops the TCP connection without a close frame, as a network cut would. */
  terminate(): void {
    this.socket.destroy();
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.emit("close");
  }

  private onData(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    for (;;) {
      const f = this.parse();
      if (!f) return;
      this.handle(f.fin, f.opcode, f.payload);
    }
  }

  private parse(): { fin: boolean; opcode: number; payload: Buffer } | undefined {
    const b = this.buf;
    if (b.length < 2) return undefined;
    let len = b[1] & 0x7f;
    let off = 2;
    if (len === 126) {
      if (b.length < 4) return undefined;
      len = b.readUInt16BE(2);
      off = 4;
    } else if (len === 127) {
      if (b.length < 10) return undefined;
      len = Number(b.readBigUInt64BE(2));
      off = 10;
    }
    if (len > MAX_MESSAGE) {
      this.close(1009, "message too big");
      return undefined;
    }
    const masked = (b[1] & 0x80) !== 0;
    const total = off + (masked ? 4 : 0) + len;
    if (b.length < total) return undefined;
    const payload = Buffer.from(b.subarray(off + (masked ? 4 : 0), total));
    if (masked) for (let i = 0; i < payload.length; i++) payload[i] ^= b[off + (i % 4)];
    this.buf = b.subarray(total);
    return { fin: (b[0] & 0x80) !== 0, opcode: b[0] & 0x0f, payload };
  }

  private handle(fin: boolean, opcode: number, payload: Buffer): void {
    if (opcode === 0x8) return this.close(payload.length >= 2 ? payload.readUInt16BE(0) : 1000);
    if (opcode === 0x9) return void (this.closed || this.socket.write(frame(0xa, payload)));
    if (opcode === 0xa) return;
    this.parts.push(payload);
    if (!fin) return;
    const msg = Buffer.concat(this.parts).toString("utf8");
    this.parts = [];
    this.emit("message", msg);
  }
}
