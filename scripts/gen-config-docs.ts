// `npm run docs:config`: renders the configuration schema (src/config/schema.ts) to docs/config.md, so the
// reference says exactly what the loader accepts. `--check` only compares, and exits 1 when the file is stale.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { CONFIG_SCHEMA, type MapNode, type ObjectNode, type SchemaNode, type StringNode } from "../src/config/schema";

export const CONFIG_DOCS = path.resolve(__dirname, "../docs/config.md");

const INTRO = `# Configuration reference

<!-- Generated from src/config/schema.ts by \`npm run docs:config\`; edit the schema, not this file. -->

The bridge reads one YAML file, \`--config <file>\` (default \`./config.yaml\`); \`config.example.yaml\` is a
commented example. Keys marked **required** have no default; every other key may be left out. Unknown keys are
errors, and every problem in the file is reported at once, each naming its key. Relative paths are relative to
the folder of the config file. The bridge reads the file once, at start: restart it after a change.
`;

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
const code = (text: string) => `\`${text}\``;
// Descriptions say things like <publicUrl>/oauth/callback and "*", which Markdown would take for HTML or emphasis.
const prose = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\*/g, "\\*");

function stringType(node: StringNode): string {
  if (node.enum) return `one of ${node.enum.map(code).join(", ")}`;
  if (node.format === "url") return "URL";
  if (node.format === "path") return "path";
  if (node.format === "database") return "database URL";
  return node.patternHint ? `string: ${prose(node.patternHint)}` : "string";
}

function mapType(node: MapNode): string {
  return `map of ${prose(node.keyHint)} to ${stringType(node.value)}`;
}

function typeOf(node: Exclude<SchemaNode, ObjectNode>): string {
  if (node.type === "string") return stringType(node);
  if (node.type === "integer") return `integer, ${node.min} to ${node.max}`;
  return mapType(node);
}

/** `; on mattermost: x` for each network with a default of its own. */
function networkDefaultsOf(node: StringNode): string {
  return Object.entries(node.networkDefaults ?? {})
    .map(([network, value]) => `; on ${network}: ${code(value)}`)
    .join("");
}

/** `network`: the network whose section holds the key, which makes a required key required only there. */
function defaultOf(node: Exclude<SchemaNode, ObjectNode>, network: string | undefined): string {
  if (node.type === "map") {
    if (!node.default) return "";
    // `${a.b}` in a map key stands for the value of key a.b.
    const entries = Object.entries(node.default).map(([k, v]) => `${k.replace(/\$\{([^}]+)\}/g, "<$1>")}: ${v}`);
    return code(`{ ${entries.join(", ")} }`);
  }
  if (node.type === "string" && node.required && network) return `**required** when network is ${code(network)}`;
  if (node.required) return "**required**";
  if (node.default === undefined) return "";
  return code(String(node.default)) + (node.type === "string" ? networkDefaultsOf(node) : "");
}

function describe(node: Exclude<SchemaNode, ObjectNode>): string {
  const parts = [prose(node.description)];
  if (node.type === "map") parts.push(`Each value: ${prose(node.value.description)}`);
  if (node.secret) parts.push("Secret: never shown in error messages or logs.");
  return parts.join(" ");
}

/** One section per object: its description, then a row per key that is not itself an object. */
function renderObject(node: ObjectNode, keyPath: string[], out: string[], network = node.network): void {
  const leaves = Object.entries(node.fields).filter(([, child]) => child.type !== "object");
  if (keyPath.length > 0) {
    out.push(`${"#".repeat(Math.min(keyPath.length + 1, 4))} ${code(keyPath.join("."))}`, "", prose(node.description), "");
  }
  if (leaves.length > 0) {
    out.push("| key | type | default | description |", "| --- | --- | --- | --- |");
    for (const [key, child] of leaves) {
      const leaf = child as Exclude<SchemaNode, ObjectNode>;
      const name = code([...keyPath, key].join("."));
      out.push(`| ${name} | ${cell(typeOf(leaf))} | ${cell(defaultOf(leaf, network))} | ${cell(describe(leaf))} |`);
    }
    out.push("");
  }
  for (const [key, child] of Object.entries(node.fields)) {
    if (child.type === "object") renderObject(child, [...keyPath, key], out, child.network ?? network);
  }
}

/** The whole reference as Markdown. Pure: the same schema always gives the same text. */
export function renderConfigDocs(schema: ObjectNode = CONFIG_SCHEMA): string {
  const out: string[] = [INTRO];
  const topLeaves = Object.entries(schema.fields).filter(([, c]) => c.type !== "object");
  if (topLeaves.length > 0) out.push("## Top-level keys", "");
  renderObject(schema, [], out);
  return out.join("\n").replace(/\n+$/, "\n");
}

function main(argv: string[]): number {
  const fresh = renderConfigDocs();
  if (argv.includes("--check")) {
    let current = "";
    try {
      current = readFileSync(CONFIG_DOCS, "utf8");
    } catch {
      // a missing file is simply stale
    }
    if (current === fresh) return 0;
    process.stderr.write(`${path.relative(process.cwd(), CONFIG_DOCS)} is out of date: run npm run docs:config\n`);
    return 1;
  }
  writeFileSync(CONFIG_DOCS, fresh);
  process.stdout.write(`wrote ${path.relative(process.cwd(), CONFIG_DOCS)}\n`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
