// Small conversions shared by the entity stores. PostgreSQL returns BIGINT as a string and booleans as
// booleans; SQLite returns numbers and 0/1. Rows are normalised here so every engine yields the same objects.
import type { Knex } from "knex";

export function toNumber(value: unknown): number {
  const n = typeof value === "number" ? value : Number(value);
  if (!Number.isFinite(n)) throw new Error(`Expected a number from the database, got ${String(value)}`);
  return n;
}

export function toBoolean(value: unknown): boolean {
  return value === true || value === 1 || value === "1" || value === "t" || value === "true";
}

/**
 * Free text as every engine can keep it: PostgreSQL's text types cannot hold U+0000 (the insert fails), SQLite
 * can. The character is dropped on every engine, so what is read back never depends on the engine.
 */
export function storableText(value: string): string {
  return value.includes("\u0000") ? value.replaceAll("\u0000", "") : value;
}

export function storableNullable(value: string | null): string | null {
  return value === null ? null : storableText(value);
}

/** A lookup key holding U+0000 can match no row on any engine, and PostgreSQL rejects it as a parameter. */
export function canBeStored(value: string): boolean {
  return !value.includes("\u0000");
}

export function nullableString(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

/** Row-level locks exist only on PostgreSQL; SQLite already serialises writers for the whole database. */
export function lockRow<T extends Knex.QueryBuilder>(db: Knex | Knex.Transaction, query: T): T {
  return db.client.config.client === "pg" ? (query.forUpdate() as T) : query;
}
