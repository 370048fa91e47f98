import { fileURLToPath } from 'node:url'

/**
 * Where `npm run build` (build.ts) writes the front end and the server reads it: dist/, or
 * WEB_STATIC_DIR (a test's own npm start, which must not rebuild the one a user's fleet serves).
 */
export const STATIC_DIR = process.env.WEB_STATIC_DIR || fileURLToPath(new URL('../dist', import.meta.url))
