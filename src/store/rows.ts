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

export function nullableString(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

/** Row-level locks exist only on PostgreSQL; SQLite already serialises writers for the whole database. */
export function lockRow<T extends Knex.QueryBuilder>(db: Knex | Knex.Transaction, query: T): T {
  return db.client.config.client === "pg" ? (query.forUpdate() as T) : query;
}
