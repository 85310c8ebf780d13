import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { gitterToMatrix } from "../../src/gitter/convert/from-gitter";
import { fileNameOf, imageDimensions } from "../../src/convert/images";
import { imageContent, imageSources, standaloneImage } from "../../src/gitter/convert/images";
import {
  formatSize, mediaCaption, mediaFileName, mediaMarkdown, mediaPath, parseMxc, safeFileName,
} from "../../src/convert/matrix-media";
import { gitterCtx } from "./golden/from-gitter";

const IMG = (src: string, alt = "cat") => `<img src="${src}" alt="${alt}">`;
const LINK = (href: string, text = href) => `<a href="${href}" rel="nofollow noopener noreferrer" target="_blank" class="link">${text}</a>`;

describe("images in Gitter messages", () => {
  it("finds the web images a message shows, once each, and no others", () => {
    const html = `<p>${IMG("https://e.org/a.png")} and ${IMG("http://e.org/b.gif")}</p>${IMG("https://e.org/a.png")}${IMG("data:image/png;base64,AA")}${IMG("mxc://s/x")}`;
    assert.deepEqual(imageSources(html), ["https://e.org/a.png", "http://e.org/b.gif"]);
    assert.deepEqual(imageSources(undefined as unknown as string), []);
  });

  it("takes a message that is only an image, or only a bare image link, for a standalone image", () => {
    const cases: [string, ReturnType<typeof standaloneImage>][] = [
      [IMG("https://e.org/cat.png", " a cat "), { url: "https://e.org/cat.png", alt: "a cat" }],
      [`<p>\n${IMG("https://e.org/cat.png")}\n</p>`, { url: "https://e.org/cat.png", alt: "cat" }],
      [LINK("https://e.org/big.png", IMG("https://e.org/small.png")), { url: "https://e.org/small.png", alt: "cat" }],
      [LINK("https://e.org/photos/Cat%20One.JPG"), { url: "https://e.org/photos/Cat%20One.JPG", alt: "" }],
      [LINK("https://e.org/x.webp?size=2"), { url: "https://e.org/x.webp?size=2", alt: "" }],
    ];
    for (const [html, expected] of cases) assert.deepEqual(standaloneImage(html), expected, html);
  });

  it("leaves anything with more to say, or no image, as a message", () => {
    for (const html of [
      `look ${IMG("https://e.org/cat.png")}`,
      `${IMG("https://e.org/a.png")}${IMG("https://e.org/b.png")}`,
      LINK("https://e.org/page.html"),
      LINK("https://e.org/cat.png", "my cat"),
      IMG("javascript:alert(1)"),
      IMG("mxc://s/x"),
      "https://e.org/cat.png",
      "",
    ]) {
      assert.equal(standaloneImage(html), null, html);
    }
  });

  it("makes m.image content with the description as body and the file name kept", () => {
    const content = imageContent({ url: "https://e.org/p/cat.png", alt: "" }, { mxc: "mxc://hs/abc", mimetype: "image/png", size: 70, w: 2, h: 3 });
    assert.deepEqual(content, {
      msgtype: "m.image",
      body: "cat.png",
      filename: "cat.png",
      url: "mxc://hs/abc",
      info: { mimetype: "image/png", size: 70, w: 2, h: 3 },
      "m.mentions": { user_ids: [] },
    });
    const described = imageContent({ url: "https://e.org/", alt: "sunset" }, { mxc: "mxc://hs/d", mimetype: "image/gif", size: 1 });
    assert.equal(described.body, "sunset");
    assert.equal(described.filename, "image");
    assert.deepEqual(described.info, { mimetype: "image/gif", size: 1 });
    assert.equal(fileNameOf("https://e.org/a/b%20c.png?x=1"), "b c.png");
  });

  it("reads the pixel size of PNG, GIF and JPEG, and nothing from other bytes", () => {
    const png = Buffer.alloc(24);
    png.set([0x89, 0x50, 0x4e, 0x47], 0);
    png.write("IHDR", 12, "latin1");
    png.writeUInt32BE(640, 16);
    png.writeUInt32BE(480, 20);
    assert.deepEqual(imageDimensions(png), { w: 640, h: 480 });
    const gif = Buffer.from("GIF89a\x20\x03\x58\x02", "latin1");
    assert.deepEqual(imageDimensions(gif), { w: 800, h: 600 });
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0, 0, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x01, 0x2c, 0x01, 0x90, 0, 0]);
    assert.deepEqual(imageDimensions(jpeg), { w: 400, h: 300 });
    assert.equal(imageDimensions(Buffer.from("not an image at all")), null);
    assert.equal(imageDimensions(Buffer.from([0xff, 0xd8, 0x00])), null);
  });

  it("puts copied images inline as mxc and keeps uncopied ones as links", () => {
    const html = `<strong>look</strong> ${IMG("https://e.org/a.png", "a")} ${IMG("https://e.org/b.png", "b")}`;
    const copies: Record<string, string> = { "https://e.org/a.png": "mxc://hs/a" };
    const out = gitterToMatrix({ text: "**look** ![a](..) ![b](..)", html }, { ...gitterCtx, imageMxc: (url) => copies[url] ?? null });
    assert.equal(out.formatted_body, '<strong>look</strong> <img src="mxc://hs/a" alt="a" /> <a href="https://e.org/b.png">b</a>');
  });
});

describe("Matrix media for Gitter", () => {
  it("parses mxc URIs and refuses anything that could escape a path", () => {
    assert.deepEqual(parseMxc("mxc://localhost/AbC_12-x"), { serverName: "localhost", mediaId: "AbC_12-x" });
    assert.deepEqual(parseMxc("mxc://[::1]:8448/id"), { serverName: "[::1]:8448", mediaId: "id" });
    for (const bad of ["mxc://s/../x", "mxc://s/a/b", "https://s/x", "mxc:///x", "mxc://s/", 5, undefined]) {
      assert.equal(parseMxc(bad), null, String(bad));
    }
  });

  it("makes file names safe for a path and a header", () => {
    assert.equal(safeFileName("../../etc/passwd"), "passwd");
    assert.equal(safeFileName('a"b\u0000c\nd.txt'), "abcd.txt");
    assert.equal(safeFileName(""), "file");
    assert.equal(safeFileName(".."), "file");
    assert.equal(safeFileName(undefined), "file");
    assert.equal(mediaFileName({ msgtype: "m.file", body: "caption", filename: "report.pdf" }), "report.pdf");
    assert.equal(mediaFileName({ msgtype: "m.file", body: "report.pdf" }), "report.pdf");
  });

  it("builds the public path with every part encoded", () => {
    assert.equal(mediaPath({ serverName: "localhost:8008", mediaId: "abc" }, "my cat?.png"), "/media/localhost%3A8008/abc/my%20cat%3F.png");
  });

  it("shows images inline and other files as named links with their size", () => {
    assert.equal(mediaMarkdown("m.image", "cat [1].png", "https://b.example/media/s/i/cat%20%5B1%5D.png"), "![cat \\[1\\].png](https://b.example/media/s/i/cat%20%5B1%5D.png)");
    assert.equal(mediaMarkdown("m.file", "report.pdf", "https://b.example/m/report.pdf", 2_500_000), "[report.pdf](https://b.example/m/report.pdf) (2.4 MB)");
    assert.equal(mediaMarkdown("m.audio", "a (1).ogg", "https://b.example/m/a (1).ogg"), "[a (1).ogg](https://b.example/m/a%20%281%29.ogg)");
    assert.deepEqual([formatSize(12), formatSize(2048), formatSize(15 * 1024 * 1024)], ["12 B", "2.0 KB", "15 MB"]);
  });

  it("reads a caption only when the file name is given separately", () => {
    assert.equal(mediaCaption({ msgtype: "m.image", body: "cat.png" }), null);
    assert.equal(mediaCaption({ msgtype: "m.image", body: "cat.png", filename: "cat.png" }), null);
    assert.deepEqual(mediaCaption({ msgtype: "m.image", body: "my *cat*", filename: "cat.png", format: "org.matrix.custom.html", formatted_body: "my <em>cat</em>" }), {
      msgtype: "m.text",
      body: "my *cat*",
      format: "org.matrix.custom.html",
      formatted_body: "my <em>cat</em>",
    });
  });
});
