/** The largest value of a PostgreSQL INTEGER (int4) column: the fleet's ids, stock, prices and totals. */
export const POSTGRES_INT_MAX = 2_147_483_647

/** Whether `n` can be the id of a row: a whole number from 1 to POSTGRES_INT_MAX. */
export const isRowId = (n: number): boolean => Number.isInteger(n) && n >= 1 && n <= POSTGRES_INT_MAX
