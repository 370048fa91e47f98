// `npm test`: installs what is missing (also promtool/prometheus from Debian when root), makes sure
// PostgreSQL and Redis run, then lint, types, tests.
import { ensureDebianTools, ensurePnpm, ensurePostgresAndRedis, installDependencies, run, say } from './lib.mjs'

async function main() {
  const pnpm = ensurePnpm()
  await installDependencies(pnpm)
  ensureDebianTools()
  say('checking PostgreSQL and Redis')
  await ensurePostgresAndRedis()
  say('lint and format (biome)')
  run(pnpm, ['exec', 'biome', 'ci', '.'])
  say('type check (every workspace package)')
  run(pnpm, ['--recursive', '--reporter=append-only', 'run', 'typecheck'])
  say('tests (vitest, real PostgreSQL, Redis and HTTP)')
  run(pnpm, ['exec', 'vitest', 'run', ...process.argv.slice(2)])
}

main().catch((error) => {
  console.error(`tests failed: ${error.message}`)
  process.exit(1)
})
