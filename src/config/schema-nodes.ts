// The kinds of node the configuration schema (./schema.ts) is made of, and the TypeScript type each loads to.

export interface NodeBase {
  description: string;
  /** Never echo the value in an error message. */
  secret?: boolean;
}

export interface StringNode extends NodeBase {
  type: "string";
  required?: boolean;
  default?: string;
  enum?: readonly string[];
  pattern?: string;
  /** Says what `pattern` wants, in words, for the error message. */
  patternHint?: string;
  /** url: http(s), trailing slash dropped. path: resolved against the config file's folder. database: see load.ts. */
  format?: "url" | "path" | "database";
  /** The default when `network` is one of these keys, in place of `default`. */
  networkDefaults?: Readonly<Record<string, string>>;
  /** Neither required nor defaulted: loads as undefined when left out. */
  optional?: boolean;
}

export interface IntegerNode extends NodeBase {
  type: "integer";
  default?: number;
  required?: boolean;
  min: number;
  max: number;
}

export interface MapNode extends NodeBase {
  type: "map";
  keyPattern: string;
  keyHint: string;
  value: StringNode;
  /** `${a.b}` in a key is replaced by the value at that config path once the rest is loaded. */
  default?: Readonly<Record<string, string>>;
}

export interface ObjectNode extends NodeBase {
  type: "object";
  fields: Readonly<Record<string, SchemaNode>>;
  /**
   * A section only this network reads: its required keys are required when `network` is this one; otherwise it
   * may be left out, and when given is only checked for typos (unknown keys, wrong types) and loads as undefined.
   */
  network?: string;
}

export type SchemaNode = StringNode | IntegerNode | MapNode | ObjectNode;

/** A URL key: required unless given a default. */
export const url = (description: string, dflt?: string): StringNode =>
  dflt === undefined
    ? { type: "string", format: "url", required: true, description }
    : { type: "string", format: "url", default: dflt, description };

type InferFields<F> = { -readonly [K in keyof F]: InferConfig<F[K]> };

/** The TypeScript type a schema node loads to (every key present: required, defaulted, or optional and undefined). */
export type InferConfig<N> = N extends { type: "object"; network: string; fields: infer F }
  ? InferFields<F> | undefined
  : N extends { type: "object"; fields: infer F }
  ? InferFields<F>
  : N extends { type: "string"; enum: readonly (infer E)[] }
    ? E
    : N extends { type: "string"; optional: true }
      ? string | undefined
    : N extends { type: "string" }
      ? string
      : N extends { type: "integer" }
        ? number
        : N extends { type: "map"; value: infer V }
          ? Record<string, InferConfig<V>>
          : never;
