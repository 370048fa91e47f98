export { evaluate, plainValue, type QueryValue, type Series } from './evaluate.ts'
export { parseExposition, type Sample } from './exposition.ts'
export { type Expr, parseDuration, parseQuery, QueryError } from './parse.ts'
export { SampleStore, type Scrape } from './sample-store.ts'
