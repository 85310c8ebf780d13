// A legibility audit run inside a browser page: language, title, the main heading, horizontal overflow, and for
// every element with text of its own, its font size and its WCAG contrast against what is painted behind it.
// Kept as a plain script string: functions handed to page.evaluate are serialised, and a TypeScript loader may
// add helpers to them that do not exist in the page. `assertLegible` holds an audit to what the bridge's pages promise.
import assert from "node:assert/strict";

const MIN_FONT_PX = 14;

export interface TextAudit {
  tag: string;
  text: string;
  fontSizePx: number;
  /** WCAG 2 contrast ratio of the text colour against its composited background. */
  contrast: number;
  /** WCAG "large text": at least 24 px, or 18.66 px and bold. */
  large: boolean;
}

export interface PageAudit {
  lang: string;
  title: string;
  heading: { text: string; visible: boolean } | null;
  /** How far the page is wider than the viewport, in px (0 when it fits). */
  overflowPx: number;
  texts: TextAudit[];
}

export const PAGE_AUDIT_SCRIPT = `(() => {
  const parse = (css) => {
    const m = css.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return [0, 0, 0, 0];
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, bottom) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat(1);
  };
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    return layers.reverse().reduce((acc, layer) => over(layer, acc), [255, 255, 255, 1]);
  };
  const luminance = (c) => {
    const ch = c.slice(0, 3).map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
  };
  const ratio = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const owners = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n.textContent.trim() && n.parentElement) owners.add(n.parentElement);
  }
  const texts = [...owners].map((el) => {
    const style = getComputedStyle(el);
    const size = parseFloat(style.fontSize);
    const bg = background(el);
    const fg = over(parse(style.color), bg);
    const bold = Number(style.fontWeight) >= 700;
    return { tag: el.tagName.toLowerCase(), text: el.textContent.trim().slice(0, 60), fontSizePx: size,
             contrast: Math.round(ratio(fg, bg) * 100) / 100, large: size >= 24 || (size >= 18.66 && bold) };
  });
  const h1 = document.querySelector("h1");
  let heading = null;
  if (h1) {
    const r = h1.getBoundingClientRect();
    const s = getComputedStyle(h1);
    const visible = r.width > 0 && r.height > 0 && r.top >= 0 && r.bottom <= innerHeight &&
      s.visibility === "visible" && s.display !== "none" && Number(s.opacity) > 0.9;
    heading = { text: h1.textContent.trim(), visible };
  }
  const root = document.documentElement;
  return { lang: root.lang, title: document.title.trim(), heading,
           overflowPx: Math.max(0, root.scrollWidth - root.clientWidth), texts };
})()`;


/** The page `name` declares its language and title, shows its heading at once, fits 375 px, and reads well. */
export function assertLegible(name: string, audit: PageAudit): void {
  assert.equal(audit.lang, "en", `${name}: html lang`);
  assert.ok(audit.title.length > 0, `${name}: a title`);
  assert.ok(audit.heading?.visible, `${name}: the heading is visible without scrolling`);
  assert.ok(audit.title.startsWith(audit.heading!.text), `${name}: the title names what the heading says`);
  assert.equal(audit.overflowPx, 0, `${name}: no horizontal scrolling at 375 px`);
  assert.ok(audit.texts.length > 1, `${name}: has text`);
  for (const t of audit.texts) {
    assert.ok(t.fontSizePx >= MIN_FONT_PX, `${name}: <${t.tag}> "${t.text}" is ${t.fontSizePx}px`);
    const needed = t.large ? 3 : 4.5;
    assert.ok(t.contrast >= needed, `${name}: <${t.tag}> "${t.text}" has contrast ${t.contrast} (needs ${needed})`);
  }
}
