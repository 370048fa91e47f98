// Runs the project's pinned pnpm with the given arguments, installing it first if needed:
// `node scripts/pnpm.mjs --filter ./services/restaurant bench`.
import { ensurePnpm, run } from './lib.mjs'

try {
  run(ensurePnpm(), process.argv.slice(2))
} catch (error) {
  console.error(error.message)
  process.exit(1)
}
