// Checks that HTML bound for Matrix fits the spec's allowlist for formatted_body: allowed tags and attributes
// only, links to http(s), mailto and matrix only, images from mxc only. Used by fuzz and end-to-end tests.
import assert from "node:assert/strict";
import { parseDocument } from "htmlparser2";

const ALLOWED: Record<string, string[]> = {
  font: ["data-mx-bg-color", "data-mx-color", "color"], span: ["data-mx-bg-color", "data-mx-color", "data-mx-spoiler", "data-mx-maths"],
  div: ["data-mx-maths"], a: ["name", "target", "href"], img: ["width", "height", "alt", "title", "src"], ol: ["start"], code: ["class"],
};
const TAGS = new Set([
  "font", "del", "s", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "p", "a", "ul", "ol", "sup", "sub", "li", "b", "i", "u",
  "strong", "em", "code", "hr", "br", "div", "table", "thead", "tbody", "tr", "th", "td", "caption", "pre", "span", "img", "details", "summary",
]);

type Node = { type: string; name?: string; attribs?: Record<string, string>; children?: Node[] };

/** Throws (an assertion) at the first element or attribute the Matrix spec does not allow. */
export function assertMatrixSafe(html: string, where: string): void {
  const shown = html.slice(0, 500);
  const walk = (nodes: Node[]): void => {
    for (const n of nodes) {
      if (n.type === "script" || n.type === "style") assert.fail(`${where}: <${n.name}> in ${shown}`);
      if (n.type !== "tag") continue;
      assert.ok(TAGS.has(n.name!), `${where}: tag <${n.name}> in ${shown}`);
      for (const [key, value] of Object.entries(n.attribs ?? {})) {
        assert.ok((ALLOWED[n.name!] ?? []).includes(key), `${where}: attribute ${key} on <${n.name}> in ${shown}`);
        if (key === "href") assert.match(value, /^(https?:|mailto:|matrix:)/i, `${where}: href ${value}`);
        if (key === "src") assert.match(value, /^mxc:\/\//i, `${where}: src ${value}`);
      }
      walk(n.children ?? []);
    }
  };
  walk(parseDocument(html).children as Node[]);
}

