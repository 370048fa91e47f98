// Installs everything and prepares the databases: `npm run setup` (also the first half of `npm start`).
import {
  databaseUrlFor,
  ensurePnpm,
  ensurePostgresAndRedis,
  installDependencies,
  redisUrl,
  run,
  SERVICES,
  say,
} from './lib.mjs'

export async function setup() {
  const pnpm = ensurePnpm()
  // FLEET_SKIP_INSTALL=1: the checkout is installed already (a test's own npm start, beside other tests).
  if (process.env.FLEET_SKIP_INSTALL !== '1') await installDependencies(pnpm)
  say('checking PostgreSQL and Redis')
  await ensurePostgresAndRedis()
  prepareDatabases(pnpm)
  return pnpm
}

/** Each service's database migrated (created if missing) and seeded; the seeds skip data that exists. */
export function prepareDatabases(pnpm) {
  for (const service of SERVICES) {
    const env = { ...process.env, DATABASE_URL: databaseUrlFor(service), REDIS_URL: redisUrl() }
    const database = new URL(env.DATABASE_URL).pathname.slice(1)
    say(`${service.name}: migrating${service.seed === false ? '' : ' and seeding'} ${database}`)
    run(pnpm, ['--filter', `./${service.dir}`, 'run', 'db:migrate'], { env })
    if (service.seed !== false) run(pnpm, ['--filter', `./${service.dir}`, 'run', 'db:seed'], { env })
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  setup().catch((error) => {
    console.error(`setup failed: ${error.message}`)
    process.exit(1)
  })
}
