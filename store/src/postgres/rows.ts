import type { Row } from "../rows.js";

export type { Row } from "../rows.js";

/** Something that runs a query: the pool, or a client inside a transaction. */
export interface Queryable {
  query<R extends Row = Row>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>;
}
