// Media in both directions, on real parts: images posted on Gitter land in Synapse's media repository and show in
// Matrix; files shared in Matrix reach Gitter as links to the bridge's public media route, which serves them from
// Synapse's authenticated media API.
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { eventually } from "../harness/stack";
import { BOT, ghost, startFidelityStack, type FidelityStack } from "./fidelity-stack";

const LOBBY = "gitter-demo/lobby";
const CAP = 100_000;
/** A real 1x1 PNG. */
const PNG = Buffer.from(
  "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c63f8cfc0f01f00050001ff89993d1d0000000049454e44ae426082",
  "hex",
);
const BIG = Buffer.concat([PNG, Buffer.alloc(CAP)]);

describe("media", { timeout: 300_000 }, () => {
  let s: FidelityStack;
  let images: http.Server;
  let imagesUrl = "";

  before(async () => {
    images = http.createServer((req, res) => {
      if (req.url === "/cat.png" || req.url === "/dog.png") return void res.writeHead(200, { "content-type": "image/png" }).end(PNG);
      if (req.url === "/big.png") return void res.writeHead(200, { "content-type": "image/png" }).end(BIG);
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => images.listen(0, "127.0.0.1", r));
    imagesUrl = `http://127.0.0.1:${(images.address() as AddressInfo).port}`;
    s = await startFidelityStack("fidelity-media", { mediaMaxBytes: CAP });
  });

  after(async () => {
    await s?.stop();
    await new Promise((r) => images?.close(r));
  });

  /** Media as a Matrix client downloads it: through Synapse's authenticated media API. */
  async function download(mxc: string): Promise<Buffer> {
    const [server, id] = mxc.slice("mxc://".length).split("/");
    const res = await fetch(`${s.synapse.url}/_matrix/client/v1/media/download/${server}/${id}`, {
      headers: { authorization: `Bearer ${s.alice.client.accessToken}` },
    });
    assert.equal(res.status, 200);
    return Buffer.from(await res.arrayBuffer());
  }

  it("turns a Gitter message that is only an image into an m.image copied to the homeserver", async () => {
    await s.postAs("bob", LOBBY, `![a cat](${imagesUrl}/cat.png)`);
    const msg = await s.alice.waitForMessage(s.lobby, ghost("bob"), /^a cat$/);
    assert.equal(msg.msgtype, "m.image");
    assert.equal(msg.content.filename, "cat.png");
    assert.match(String(msg.content.url), /^mxc:\/\/localhost\//);
    assert.deepEqual(msg.content.info, { mimetype: "image/png", size: PNG.length, w: 1, h: 1 });
    assert.deepEqual(await download(String(msg.content.url)), PNG);
  });

  it("shows images inside a Gitter message inline, by mxc, and leaves one over the size cap a link", async () => {
    const text = `look **here** ![dog](${imagesUrl}/dog.png) and ![huge](${imagesUrl}/big.png)`;
    await s.postAs("carol", LOBBY, text);
    const msg = await s.alice.waitForMessage(s.lobby, ghost("carol"), /^look \*\*here\*\*/);
    assert.equal(msg.body, text);
    const inline = /<img src="(mxc:\/\/localhost\/[^"]+)" alt="dog" \/>/.exec(msg.formatted ?? "");
    assert.ok(inline, msg.formatted);
    assert.deepEqual(await download(inline[1]!), PNG);
    assert.match(msg.formatted ?? "", new RegExp(`<a href="${imagesUrl}/big.png">huge</a>`));
  });

  it("shares a Matrix image to Gitter as an image link to the bridge's public URL, which serves it", async () => {
    const mxc = await s.alice.client.uploadContent(PNG, "image/png", "sunset.png");
    await s.alice.client.sendMessage(s.lobby, { msgtype: "m.image", body: "sunset.png", url: mxc, info: { mimetype: "image/png", size: PNG.length } });
    const sent = await s.waitOnGitter(LOBBY, "alice", (m) => m.text.includes("sunset.png"), "the image link on Gitter");
    const mediaId = mxc.split("/").pop()!;
    const url = `${s.webUrl}/media/localhost/${mediaId}/sunset.png`;
    assert.equal(sent.text, `![sunset.png](${url})`);
    assert.match(sent.html, /<img src="http:\/\/127\.0\.0\.1:\d+\/media\/localhost\//);
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "image/png");
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), PNG);
  });

  it("shares a file with its caption, and serves nothing that was never shared", async () => {
    const pdf = Buffer.from("%PDF-1.4 not really a pdf");
    const mxc = await s.alice.client.uploadContent(pdf, "application/pdf", "report.pdf");
    const unshared = await s.alice.client.uploadContent(Buffer.from("private"), "text/plain", "secret.txt");
    await s.alice.client.sendMessage(s.lobby, {
      msgtype: "m.file",
      body: "the *final* report",
      filename: "report.pdf",
      format: "org.matrix.custom.html",
      formatted_body: "the <em>final</em> report",
      url: mxc,
      info: { mimetype: "application/pdf", size: pdf.length },
    });
    const sent = await s.waitOnGitter(LOBBY, "alice", (m) => m.text.includes("report.pdf"), "the file link on Gitter");
    const url = `${s.webUrl}/media/localhost/${mxc.split("/").pop()}/report.pdf`;
    assert.equal(sent.text, `[report.pdf](${url}) (${pdf.length} B)\nthe *final* report`);
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-disposition") ?? "", /^attachment; filename\*=UTF-8''report\.pdf$/);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), pdf);
    const denied = await fetch(`${s.webUrl}/media/localhost/${unshared.split("/").pop()}/secret.txt`);
    assert.equal(denied.status, 404);
    await denied.arrayBuffer();
  });

  it("links images inside formatted Matrix text, and refuses a file over the size cap with a notice", async () => {
    const mxc = await s.alice.client.uploadContent(PNG, "image/png", "inline.png");
    await s.alice.client.sendMessage(s.lobby, {
      msgtype: "m.text",
      body: "inline pic",
      format: "org.matrix.custom.html",
      formatted_body: `inline <img src="${mxc}" alt="pic">`,
    });
    const sent = await s.waitOnGitter(LOBBY, "alice", (m) => m.text.startsWith("inline "), "the inline image on Gitter");
    const url = `${s.webUrl}/media/localhost/${mxc.split("/").pop()}/pic`;
    assert.equal(sent.text, `inline ![pic](${url})`);
    assert.equal((await fetch(url)).status, 200);

    await s.alice.client.sendMessage(s.lobby, {
      msgtype: "m.video",
      body: "holiday.mp4",
      url: "mxc://localhost/notreallyuploaded",
      info: { mimetype: "video/mp4", size: CAP * 5 },
    });
    const notice = await s.alice.waitForMessage(s.lobby, BOT, /Your message was not sent to Gitter/);
    assert.match(notice.body, /the file is 488 KB and the bridge passes files of at most 98 KB/);
    assert.equal((await s.gitterLog(LOBBY)).some((m) => m.text.includes("holiday")), false);
  });

  it("stops serving a shared file once its message is redacted in Matrix, and lets no cache keep it", async () => {
    const mxc = await s.alice.client.uploadContent(PNG, "image/png", "oops.png");
    const eventId = await s.alice.client.sendMessage(s.lobby, { msgtype: "m.image", body: "oops.png", url: mxc, info: { mimetype: "image/png" } });
    const sent = await s.waitOnGitter(LOBBY, "alice", (m) => m.text.includes("oops.png"), "the image link on Gitter");
    const url = `${s.webUrl}/media/localhost/${mxc.split("/").pop()}/oops.png`;
    const shared = await fetch(url);
    assert.equal(shared.status, 200);
    assert.equal(shared.headers.get("cache-control"), "private, no-cache");
    await shared.arrayBuffer();
    await s.alice.client.redactEvent(s.lobby, eventId, "wrong picture");
    await eventually(async () => {
      const stored = (await s.gitterLog(LOBBY)).find((m) => m.id === sent.id);
      return stored === undefined || stored.deleted;
    }, "the deletion on Gitter");
    const gone = await fetch(url, { headers: { "if-none-match": shared.headers.get("etag") ?? "" } });
    assert.equal(gone.status, 404);
    await gone.arrayBuffer();
  });

  it("stops serving every file the user shared once they log out", async () => {
    const mxc = await s.alice.client.uploadContent(PNG, "image/png", "last.png");
    await s.alice.client.sendMessage(s.lobby, { msgtype: "m.image", body: "last.png", url: mxc, info: { mimetype: "image/png" } });
    await s.waitOnGitter(LOBBY, "alice", (m) => m.text.includes("last.png"), "the image link on Gitter");
    // This file, and one shared at the start of this file.
    const sunset = /\((http[^)]+)\)/.exec((await s.gitterLog(LOBBY)).find((m) => m.text.includes("sunset.png"))!.text)![1]!;
    const urls = [`${s.webUrl}/media/localhost/${mxc.split("/").pop()}/last.png`, sunset];
    const status = async (url: string) => {
      const res = await fetch(url);
      await res.arrayBuffer();
      return res.status;
    };
    for (const url of urls) assert.equal(await status(url), 200, url);
    await s.alice.client.sendText(s.control, "logout");
    await s.alice.waitForMessage(s.control, BOT, /logged out/i);
    for (const url of urls) assert.equal(await status(url), 404, url);
  });
});
