// No Docker engine here, so the Dockerfile is checked by reading it: the image ships the Node line the scripts test
// on (scripts/ensure-node.sh's default), inside package.json's "engines"; it runs as a non-root user with a health
// check, its data volume is that user's alone, and production gets production modules only.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";

const ROOT = path.resolve(__dirname, "../..");

interface Instruction {
  op: string;
  args: string;
}

interface Stage {
  from: string;
  name?: string;
  body: Instruction[];
}

/** Splits a Dockerfile into stages of instructions (comments dropped, continuation lines joined). */
function parseDockerfile(text: string): Stage[] {
  const joined = text
    .split("\n")
    .filter((l) => !/^\s*#/.test(l))
    .join("\n")
    .replace(/\\\n/g, " ");
  const stages: Stage[] = [];
  for (const line of joined.split("\n").map((l) => l.trim()).filter(Boolean)) {
    const [, op, args] = /^(\S+)\s+(.*)$/.exec(line) ?? [];
    assert.ok(op, `cannot read Dockerfile line: ${line}`);
    if (op.toUpperCase() === "FROM") {
      const [from, as, name] = args.split(/\s+/);
      stages.push({ from, name: as?.toUpperCase() === "AS" ? name : undefined, body: [] });
    } else {
      assert.ok(stages.length > 0, `${op} before any FROM`);
      stages.at(-1)!.body.push({ op: op.toUpperCase(), args: args.replace(/\s+/g, " ") });
    }
  }
  return stages;
}

/** The stage's instructions, those of the stages it builds on first. */
function lineage(stages: Stage[], stage: Stage): { image: string; body: Instruction[] } {
  const parent = stages.find((s) => s.name === stage.from);
  if (!parent) return { image: stage.from, body: stage.body };
  const up = lineage(stages, parent);
  return { image: up.image, body: [...up.body, ...stage.body] };
}

/** Reads ">=22.12" as its lower bound. */
function engineRange(range: string): { major: number; minor: number } {
  const m = /^>=(\d+)\.(\d+)(?:\.\d+)?$/.exec(range.trim());
  assert.ok(m, `engines.node should read ">=MAJOR.MINOR", not "${range}"`);
  return { major: Number(m[1]), minor: Number(m[2]) };
}

/** The Node line scripts/ensure-node.sh installs by default: the one CI runs every suite on. */
function testedMajor(): number {
  const m = /^major=\$\{1:-(\d+)\}$/m.exec(readFileSync(path.join(ROOT, "scripts/ensure-node.sh"), "utf8"));
  assert.ok(m, "scripts/ensure-node.sh names its default major as major=${1:-N}");
  return Number(m[1]);
}

const stages = parseDockerfile(readFileSync(path.join(ROOT, "Dockerfile"), "utf8"));
const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { engines: { node: string } };
const engines = engineRange(pkg.engines.node);
const final = lineage(stages, stages.at(-1)!);
const runs = (body: Instruction[]) => body.filter((i) => i.op === "RUN").map((i) => i.args);

describe("Dockerfile", () => {
  it("builds every stage on one slim Debian Node image of the tested line, inside engines", () => {
    const images = new Set(stages.map((s) => lineage(stages, s).image));
    assert.equal(images.size, 1, `one image for every stage, so the native modules match: ${[...images].join(", ")}`);
    const [image] = images;
    const m = /^node:(\d+)(?:\.(\d+))?(?:\.\d+)?-(bookworm|trixie)-slim$/.exec(image!);
    assert.ok(m, `${image} should be node:<version>-trixie-slim (or bookworm)`);
    const [major, minor] = [Number(m[1]), m[2] === undefined ? undefined : Number(m[2])];
    assert.equal(major, testedMajor(), `${image}: the scripts test on Node ${testedMajor()}`);
    assert.ok(major >= engines.major, `${image}: engines says ${pkg.engines.node}`);
    if (major === engines.major && minor !== undefined) assert.ok(minor >= engines.minor, `${image}: engines says ${pkg.engines.node}`);
  });

  it("lets npm refuse a floating tag that resolves outside engines", () => {
    const floating = stages.some((s) => /^node:\d+-/.test(lineage(stages, s).image));
    if (floating) assert.ok(stages.some((s) => runs(s.body).some((r) => /npm ci .*--engine-strict/.test(r))));
  });

  it("installs production modules with npm ci --omit=dev, the overrides' stub copied first, and ships only those", () => {
    const copyFrom = final.body.filter((i) => i.op === "COPY" && /node_modules/.test(i.args));
    assert.equal(copyFrom.length, 1, "the final stage copies node_modules once");
    const source = /--from=(\S+)/.exec(copyFrom[0].args)?.[1];
    const prod = stages.find((s) => s.name === source);
    assert.ok(prod, `node_modules comes from a build stage, not ${source}`);
    assert.ok(runs(prod.body).some((r) => /npm ci .*--omit=dev/.test(r)), `${source} runs npm ci --omit=dev`);
    for (const stage of stages) {
      const ci = stage.body.findIndex((i) => i.op === "RUN" && /npm ci/.test(i.args));
      if (ci < 0) continue;
      const stub = stage.body.findIndex((i) => i.op === "COPY" && /^stubs\b/.test(i.args));
      assert.ok(stub >= 0 && stub < ci, `stage ${stage.name}: COPY stubs comes before npm ci`);
    }
    assert.ok(!runs(final.body).some((r) => /npm (ci|install)/.test(r)), "the final stage installs nothing itself");
  });

  it("runs as a user that is not root", () => {
    const users = final.body.filter((i) => i.op === "USER").map((i) => i.args.split(":")[0]);
    assert.ok(users.length > 0, "the final stage sets USER");
    assert.ok(!["root", "0"].includes(users.at(-1)!), `USER ${users.at(-1)} is root`);
  });

  it("checks /health, keeps config and data in volumes, and starts the compiled bridge", () => {
    const health = final.body.find((i) => i.op === "HEALTHCHECK");
    assert.ok(health, "HEALTHCHECK in the final stage");
    assert.ok(/^(--\S+ )*CMD /.test(health.args), "HEALTHCHECK runs a command");
    const env = final.body.filter((i) => i.op === "ENV").map((i) => i.args).join(" ");
    assert.match(`${health.args} ${env}`, /http:\/\/127\.0\.0\.1:9899\/health/, "it probes the web server's /health");
    const volumes = final.body.filter((i) => i.op === "VOLUME").map((i) => i.args).join(" ");
    assert.match(volumes, /"\/config"/);
    assert.match(volumes, /"\/data"/);
    // The data volume holds the database and the token key: the runtime user's alone.
    const user = final.body.filter((i) => i.op === "USER").at(-1)?.args.split(":")[0];
    const made = runs(final.body).find((r) => /mkdir -p .*\/data\b/.test(r)) ?? "";
    assert.match(made, new RegExp(`chown ${user}(:${user})? [^&]*/data\\b`), "/data is owned by the runtime user");
    assert.match(made, /chmod 0?700 [^&]*\/data\b/, "/data is 0700");
    const entry = final.body.filter((i) => i.op === "ENTRYPOINT").at(-1);
    assert.match(entry?.args ?? "", /"dist\/src\/index\.js"/);
  });
});
