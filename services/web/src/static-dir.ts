import { fileURLToPath } from 'node:url'

/** Where `npm run build` (build.ts) writes the front end and the server reads it. */
export const STATIC_DIR = fileURLToPath(new URL('../dist', import.meta.url))
