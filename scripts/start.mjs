// `npm start`: installs, prepares the databases, runs every service with prefixed logs; Ctrl-C stops all.
import { databaseUrlFor, pipeWithPrefix, ROOT, redisUrl, run, SERVICES, say, spawn, warn } from './lib.mjs'
import { setup } from './setup.mjs'

const COLOURS = ['1;32', '1;35', '1;34']

async function waitUntilReady(service, children, path) {
  const url = `http://127.0.0.1:${service.port}${path}`
  for (let i = 0; i < 120 && children.every((child) => child.exitCode === null); i++) {
    try {
      if ((await fetch(url)).ok) return true
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  return false
}

// The web front end (services/web): its static build, served with the /api/… prefixes on 8090.
const WEB = { name: 'web', dir: 'services/web', port: 8090 }

function startWeb() {
  say('building the web front end')
  run(process.execPath, ['--import', 'tsx', 'build.ts'], { cwd: `${ROOT}/${WEB.dir}` })
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: `${ROOT}/${WEB.dir}`,
    env: {
      LOG_FORMAT: process.stdout.isTTY ? 'pretty' : 'json',
      ...process.env,
      PORT: String(WEB.port),
      USER_SERVICE_URL: `http://127.0.0.1:${SERVICES[0].port}`,
      RESTAURANT_SERVICE_URL: `http://127.0.0.1:${SERVICES[1].port}`,
      ORDER_SERVICE_URL: `http://127.0.0.1:${SERVICES[2].port}`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  pipeWithPrefix(child.stdout, WEB.name, '1;33', process.stdout)
  pipeWithPrefix(child.stderr, WEB.name, '1;33', process.stderr)
  return child
}

async function main() {
  await setup()
  const services = SERVICES.map((service, i) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--import', '@food/telemetry/register', 'src/server.ts'],
      {
        cwd: `${ROOT}/${service.dir}`,
        env: {
          NODE_ENV: 'development',
          LOG_FORMAT: process.stdout.isTTY ? 'pretty' : 'json',
          OTEL_SERVICE_NAME: `${service.name}-service`,
          // Promtail of infra/docker-compose.yml ships these files to Loki.
          LOG_FILE: `${ROOT}/.fleet/logs/${service.name}.log`,
          ...process.env,
          PORT: String(service.port),
          DATABASE_URL: databaseUrlFor(service),
          REDIS_URL: redisUrl(),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    const colour = COLOURS[i % COLOURS.length]
    pipeWithPrefix(child.stdout, service.name, colour, process.stdout)
    pipeWithPrefix(child.stderr, service.name, colour, process.stderr)
    return child
  })
  const children = [...services, startWeb()]
  const names = [...SERVICES.map((service) => service.name), WEB.name]

  let stopping = false
  const stop = (code) => {
    if (stopping) return
    stopping = true
    say('stopping the fleet')
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM')
    Promise.all(children.map((child) => child.exitCode ?? new Promise((resolve) => child.once('exit', resolve)))).then(
      () => process.exit(code),
    )
  }
  process.on('SIGINT', () => stop(0))
  process.on('SIGTERM', () => stop(0))
  for (const [i, child] of children.entries()) {
    child.once('exit', (code) => {
      if (stopping) return
      warn(`${names[i]} exited with ${code}; stopping the others`)
      stop(1)
    })
  }

  for (const service of SERVICES) {
    if (!(await waitUntilReady(service, children, '/health/ready'))) return
  }
  if (!(await waitUntilReady(WEB, children, '/health'))) return
  say('the fleet is up (Ctrl-C stops it)')
  console.log(`  web         http://localhost:${WEB.port}   (the shop, my orders, the chaos console)`)
  for (const service of SERVICES) {
    console.log(
      `  ${service.name.padEnd(11)} http://localhost:${service.port}   docs: http://localhost:${service.port}/docs   redoc: /redoc`,
    )
  }
  console.log(
    `  try:        curl -s -X POST localhost:8001/login -H 'Content-Type: application/json' -d '{"username": "user", "password": "pass"}'`,
  )
}

main().catch((error) => {
  console.error(`start failed: ${error.message}`)
  process.exit(1)
})
