// Golden pairs for ghost display names: what a Gitter user typed, and what Matrix shows.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  DEFAULT_DISPLAY_NAME_TEMPLATE,
  MAX_DISPLAY_NAME,
  capText,
  cleanDisplayName,
  renderDisplayName,
  templateProblem,
} from "../../src/convert/display-name";

const length = (s: string) => [...s].length;

describe("cleanDisplayName", () => {
  const cases: [string, string, string][] = [
    ["plain", "Alice Anders", "Alice Anders"],
    ["surrounding white space", "  \t Alice \n", "Alice"],
    ["line breaks and tabs become one space", "Alice\n\nAnders\tthe\r\nGreat", "Alice Anders the Great"],
    ["C0 and C1 controls", "Al\u0000i\u0007ce\u0085 \u009bA", "Al i ce A"],
    ["right-to-left override", "\u202egnp.exe", "gnp.exe"],
    ["every bidi embedding, override, isolate and mark", "\u202aa\u202bb\u202cc\u202dd\u2066e\u2067f\u2068g\u2069h\u200ei\u200fj\u061ck", "abcdefghijk"],
    ["zero-width space, non-joiner, word joiner, BOM", "A\u200bl\u200ci\u2060c\ufeffe", "Alice"],
    ["a name made only of invisible characters", "\u200b\u202e\u3164\u115f", ""],
    ["Hangul fillers", "\u3164Admin\uffa0", "Admin"],
    ["line and paragraph separators", "a\u2028b\u2029c", "a b c"],
    ["a lone surrogate", "Ali\ud800ce", "Alice"],
    ["accents and scripts stay", "Jürgen 李小龍 Ñandú", "Jürgen 李小龍 Ñandú"],
    ["emoji with joiners stay whole", "Dev 👩‍💻 and 🏳️‍🌈", "Dev 👩‍💻 and 🏳️‍🌈"],
    ["a joiner between letters goes", "a\u200db", "ab"],
    ["no-break and ideographic spaces are spaces", "Alice\u00a0\u3000Anders", "Alice Anders"],
  ];
  for (const [what, raw, clean] of cases) {
    it(what, () => assert.equal(cleanDisplayName(raw), clean));
  }
});

describe("capText", () => {
  it("leaves short text alone", () => assert.equal(capText("Alice", 5), "Alice"));
  it("cuts long text with an ellipsis, within the limit", () => assert.equal(capText("Alice Anders", 6), "Alice…"));
  it("never splits an emoji sequence or a surrogate pair", () => {
    assert.equal(capText("ab👩‍💻cd", 4), "ab…");
    assert.equal(capText("😀😀😀😀", 3), "😀😀…");
  });
});

describe("renderDisplayName", () => {
  const render = (displayName: string | null, username = "alice", template = DEFAULT_DISPLAY_NAME_TEMPLATE) =>
    renderDisplayName(template, { username, displayName });

  it("marks every name as from Gitter by default", () => {
    assert.equal(render("Alice Anders"), "Alice Anders (Gitter)");
    assert.equal(render("@gitter:localhost"), "@gitter:localhost (Gitter)");
  });

  it("falls back to the username when the display name is empty or invisible", () => {
    assert.equal(render(null), "alice (Gitter)");
    assert.equal(render(""), "alice (Gitter)");
    assert.equal(render("  \u200b\u202e  "), "alice (Gitter)");
  });

  it("fills every placeholder", () => {
    assert.equal(render("Alice Anders", "alice", "{displayName} [{username}@gitter]"), "Alice Anders [alice@gitter]");
    assert.equal(render("Alice Anders", "alice", "{username}"), "alice");
    assert.equal(render("Alice", "alice", "  {displayName}  "), "Alice");
  });

  it("cleans, then caps a 300-character name to Synapse's limit, keeping the template's text", () => {
    const raw = `\u202e${"Mallory\u200b\u2066 ".repeat(40)}`;
    const name = render(raw);
    assert.ok(length(name) <= MAX_DISPLAY_NAME, `${length(name)} code points`);
    assert.ok(name.endsWith("… (Gitter)"), name);
    assert.ok(name.startsWith("Mallory Mallory "), name);
    assert.doesNotMatch(name, /[\u200b\u2066\u202e]/);
  });

  it("shares the limit between placeholders, whatever their length", () => {
    const name = render("D".repeat(400), "u".repeat(400), "{displayName} ({username})");
    assert.ok(length(name) <= MAX_DISPLAY_NAME, `${length(name)} code points`);
    assert.match(name, /^D+… \(u+…\)$/);
  });

  it("counts code points, as Synapse does, not UTF-16 units", () => {
    const name = render("😀".repeat(247));
    assert.equal(name, `${"😀".repeat(247)} (Gitter)`, "exactly 256 code points, 503 UTF-16 units, is not cut");
    assert.ok(length(render("😀".repeat(260))) <= MAX_DISPLAY_NAME);
  });
});

describe("templateProblem", () => {
  it("accepts the default and simple templates", () => {
    for (const t of [DEFAULT_DISPLAY_NAME_TEMPLATE, "{displayName}", "{username}", "{displayName} ({username}) on Gitter"]) {
      assert.equal(templateProblem(t), null, t);
    }
  });

  it("refuses templates that cannot make a fitting, distinct, visible name", () => {
    for (const t of ["", "Gitter", "{DisplayName}", "{name}", "{displayName", "{displayName}}", "\u202e{displayName}", "{username}".repeat(5), `{username}${"x".repeat(65)}`]) {
      assert.notEqual(templateProblem(t), null, JSON.stringify(t));
    }
  });
});
