// A small seeded generator of hostile inputs for fuzz tests: odd strings, values of the wrong type, broken JSON.
// Every run prints its seed; set FUZZ_SEED to replay a failing run exactly.

/** mulberry32: tiny, fast, and good enough to spread inputs; the same seed gives the same sequence. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed of this run: FUZZ_SEED when set, else a fresh one. Printed so a failure can be replayed. */
export function fuzzSeed(label: string): number {
  const fromEnv = process.env.FUZZ_SEED;
  const seed = fromEnv !== undefined && /^\d+$/.test(fromEnv) ? Number(fromEnv) : Math.floor(Math.random() * 2 ** 31);
  process.stdout.write(`${label}: fuzz seed ${seed} (replay with FUZZ_SEED=${seed})\n`);
  return seed;
}

const ODD_STRINGS = [
  "",
  " ",
  "\n\t\r",
  "\u0000",
  "\u202eevil\u202c", // right-to-left override
  "\u200b\u200c\u200d\ufeff", // zero-width characters
  "\ud800", // a lone surrogate
  "\udfff\ud800",
  "e\u0301\u0301\u0301\u0301\u0301", // stacked combining accents
  "😀👩‍👩‍👧‍👦🏳️‍🌈",
  "𝕳𝖊𝖑𝖑𝖔",
  "null",
  "undefined",
  "NaN",
  "-1",
  "1e309",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "%s%s%n",
  "${process.exit()}",
  "'; DROP TABLE users; --",
  "../../../../etc/passwd",
  "<script>alert(1)</script>",
  '<img src=x onerror="alert(1)">',
  "javascript:alert(1)",
  "@gitter_bob:localhost",
  "!room:localhost",
  "$event:localhost",
  "@:",
  "m.text",
];

export class Fuzz {
  private readonly next: () => number;

  constructor(readonly seed: number) {
    this.next = mulberry32(seed);
  }

  /** A float in [0, 1). */
  float(): number {
    return this.next();
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  bool(p = 0.5): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** A short run of arbitrary code points, surrogate halves and control characters included. */
  noise(maxLen = 40): string {
    let s = "";
    const len = this.int(maxLen + 1);
    for (let i = 0; i < len; i++) {
      const kind = this.int(4);
      const code = kind === 0 ? this.int(0x20) : kind === 1 ? 0x20 + this.int(0x5f) : kind === 2 ? this.int(0x10000) : 0x10000 + this.int(0x10ffff - 0x10000);
      s += String.fromCodePoint(code);
    }
    return s;
  }

  /** A hostile string: a known odd one, noise, a huge one, or a mix. */
  oddString(): string {
    switch (this.int(6)) {
      case 0:
      case 1:
        return this.pick(ODD_STRINGS);
      case 2:
        return this.noise();
      case 3:
        return this.pick(ODD_STRINGS) + this.noise(10) + this.pick(ODD_STRINGS);
      case 4:
        return this.huge();
      default:
        return this.pick(["a", "\u00e9", "😀", "<b>", "\u0000"]).repeat(1 + this.int(300));
    }
  }

  /** A string of 10 k to 60 k characters: as big as fits in a Matrix event (64 KiB), so as big as is real. */
  huge(): string {
    const unit = this.pick(["x", "é", "😀", "<i>", " "]);
    return unit.repeat(Math.floor((10_000 + this.int(50_000)) / unit.length));
  }

  /** Any JSON value except a string, to put where a string belongs. */
  notString(depth = 0): unknown {
    switch (this.int(depth > 2 ? 5 : 7)) {
      case 0:
        return null;
      case 1:
        return this.pick([0, -1, 1.5, 2 ** 53 + 1, -0, 1e308]);
      case 2:
        return this.bool();
      case 3:
        return [];
      case 4:
        return {};
      case 5:
        return [this.value(depth + 1), this.value(depth + 1)];
      default:
        return { [this.oddString().slice(0, 30)]: this.value(depth + 1) };
    }
  }

  /** Any JSON value: strings included. */
  value(depth = 0): unknown {
    return this.bool(0.4) ? this.oddString() : this.notString(depth);
  }

  /** A value of the wrong kind for a field: not a string, an odd string, or left out (undefined). */
  wrong(): unknown {
    const roll = this.int(3);
    return roll === 0 ? undefined : roll === 1 ? this.notString() : this.oddString();
  }

  /** Objects nested `depth` deep. */
  deep(depth: number): unknown {
    let v: unknown = "bottom";
    for (let i = 0; i < depth; i++) v = this.bool() ? [v] : { a: v };
    return v;
  }

  /** Text that is not valid JSON (or is JSON cut short). */
  brokenJson(valid: unknown): string {
    const text = JSON.stringify(valid) ?? "{}";
    switch (this.int(5)) {
      case 0:
        return text.slice(0, Math.max(1, this.int(text.length)));
      case 1:
        return text + this.pick(["}", "]", ",", "garbage"]);
      case 2:
        return "{'single': 'quotes'}";
      case 3:
        return this.noise(60).replace(/^[\s{["\d-tfn]/, "x");
      default:
        return "\ufeff\u0000" + text;
    }
  }

  /** A copy of `obj` with some fields replaced by wrong values, removed, or joined by unexpected ones. */
  mangle(obj: Record<string, unknown>, fields: readonly string[], atLeastOne = true): Record<string, unknown> {
    const out: Record<string, unknown> = { ...obj };
    const chosen = fields.filter(() => this.bool(0.35));
    if (atLeastOne && chosen.length === 0) chosen.push(this.pick(fields));
    for (const f of chosen) {
      const v = this.wrong();
      if (v === undefined) delete out[f];
      else out[f] = v;
    }
    if (this.bool(0.2)) out[this.oddString().slice(0, 50)] = this.value();
    return out;
  }
}
