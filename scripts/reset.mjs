// `npm run reset`: back to fresh data. Drops each service's database and its Redis keys, then
// migrates and seeds as `npm start` does (no orders, every menu at 100), on the checkout `npm start`
// installed. The fleet must be stopped:
// a running service would keep serving what it cached and fail on a database dropped under it.
import {
  answers,
  databaseUrlFor,
  ensurePnpm,
  ensurePostgresAndRedis,
  redisCommand,
  redisUrl,
  run,
  SERVICES,
  say,
} from './lib.mjs'
import { prepareDatabases } from './setup.mjs'

// Deletes the keys under a prefix in one server-side pass (SCAN, so Redis is never blocked on KEYS).
const DELETE_PREFIXED = `local cursor, deleted = '0', 0
repeat
  local page = redis.call('SCAN', cursor, 'MATCH', ARGV[1], 'COUNT', 1000)
  cursor = page[1]
  for _, key in ipairs(page[2]) do deleted = deleted + redis.call('DEL', key) end
until cursor == '0'
return deleted`

async function reset() {
  const running = []
  // A suffixed set of databases (a test's) is not the fleet on the standard ports.
  if (!process.env.FLEET_DATABASE_SUFFIX)
    for (const service of SERVICES)
      if (await answers('127.0.0.1', service.port)) running.push(`${service.name} (:${service.port})`)
  if (running.length > 0) {
    throw new Error(`the fleet is running: ${running.join(', ')}; stop it first (Ctrl-C where npm start runs)`)
  }
  const pnpm = ensurePnpm()
  await ensurePostgresAndRedis()
  for (const service of SERVICES) {
    say(
      `${service.name}: dropping ${new URL(databaseUrlFor(service)).pathname.slice(1)} and its Redis keys (${service.name}:*)`,
    )
    run(pnpm, ['--filter', `./${service.dir}`, 'exec', 'fleet-db', 'drop'], {
      env: { ...process.env, DATABASE_URL: databaseUrlFor(service) },
    })
    const deleted = await redisCommand(redisUrl(), ['EVAL', DELETE_PREFIXED, '0', `${service.name}:*`])
    console.log(`${service.name}: ${deleted} Redis keys deleted`)
  }
  prepareDatabases(pnpm)
  say('fresh data: start the fleet with npm start')
}

reset().catch((error) => {
  console.error(`reset failed: ${error.message}`)
  process.exit(1)
})
