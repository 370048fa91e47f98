// Helpers for the fleet's own commands. Node built-ins only: these run before any install.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const PNPM_VERSION = '9.15.9'

/**
 * V8's memory flags the images run node with, read from the Dockerfile (its NODE_OPTIONS and its
 * CMD: one definition), for npm start to give its services the same: without them each service
 * under npm start held about 1.8x the memory of the images' (measured in npm run bench).
 */
export function imageMemoryFlags(dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8')) {
  const nodeOptions = /NODE_OPTIONS="([^"]*)"/.exec(dockerfile)?.[1] ?? ''
  const command = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)?.[1] ?? '[]')
  return [...nodeOptions.split(/\s+/), ...command].filter((argument) =>
    /^--(max-semi-space-size|max-old-space-size|heap-growing-percent)=/.test(argument),
  )
}

/**
 * The port in `variable`, else `fallback`: every port npm start listens on can be moved (USER_PORT,
 * WEB_PORT, …), so a second fleet, or a test's, can run beside the one on the standard ports.
 */
export function portFrom(variable, fallback, env = process.env) {
  const value = env[variable]
  if (value === undefined || value === '') return fallback
  const port = Number(value)
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`${variable}=${value} is not a port (1-65535)`)
  return port
}

/** Every service the fleet runs, with its port (8001–8003 unless USER_PORT… say otherwise) and database. */
export const SERVICES = [
  { name: 'user', dir: 'services/user', port: portFrom('USER_PORT', 8001), database: 'user_db' },
  {
    name: 'restaurant',
    dir: 'services/restaurant',
    port: portFrom('RESTAURANT_PORT', 8002),
    database: 'restaurant_db',
  },
  { name: 'order', dir: 'services/order', port: portFrom('ORDER_PORT', 8003), database: 'order_db', seed: false },
]

const colour = (code, text) => (process.stdout.isTTY ? `\x1b[${code}m${text}\x1b[0m` : text)
export const say = (text) => console.log(colour('1;36', `▸ ${text}`))
export const warn = (text) => console.log(colour('1;33', `! ${text}`))

export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: ROOT, ...options })
  if (result.error) throw result.error
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status ?? result.signal}`)
  }
}

function commandOutput(command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8' })
  return result.status === 0 ? result.stdout.trim() : undefined
}

/**
 * pnpm at the pinned version: the one on PATH if it matches, else a copy installed under
 * .fleet/tools with npm (no root, no corepack needed).
 */
export function ensurePnpm() {
  if (commandOutput('pnpm', ['--version']) === PNPM_VERSION) return 'pnpm'
  const local = join(ROOT, '.fleet/tools/node_modules/.bin/pnpm')
  if (commandOutput(local, ['--version']) !== PNPM_VERSION) {
    say(`installing pnpm ${PNPM_VERSION} into .fleet/tools`)
    run('npm', ['install', '--no-audit', '--no-fund', '--prefix', join(ROOT, '.fleet/tools'), `pnpm@${PNPM_VERSION}`])
  }
  return local
}

/** Server URL (no database) for PostgreSQL: from DATABASE_URL's host and credentials if set. */
function postgresServerUrl() {
  const url = new URL(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres')
  url.pathname = '/'
  return url
}

// FLEET_DATABASE_SUFFIX names a second set of databases beside the dev ones (user_db_x…), so
// a test can set up and reset a fleet without touching the developer's data.
export function databaseUrlFor(service) {
  const url = postgresServerUrl()
  url.pathname = `/${service.database}${process.env.FLEET_DATABASE_SUFFIX ?? ''}`
  return url.toString()
}

export const redisUrl = () => process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

export function answers(host, port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = connect({ host, port: Number(port), timeout: timeoutMs })
    const done = (ok) => {
      socket.destroy()
      resolve(ok)
    }
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
    socket.once('timeout', () => done(false))
  })
}

/** Whether something listens on host:port already: this process cannot listen there. */
function taken(host, port) {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', (error) => resolve(error.code === 'EADDRINUSE' || error.code === 'EACCES'))
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(false)))
  })
}

/** Whether a fleet's server answers GET /health on the port (a service, the web server). */
async function answersHealth(port) {
  try {
    return (await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1000) })).ok
  } catch {
    return false
  }
}

/**
 * The ports of `wanted` ({ port, what }) that are taken on loopback, each with whether a fleet
 * answers GET /health there: checked before anything is installed, so a second `npm start` says
 * at once what is in its way instead of failing on EADDRINUSE after the install.
 */
export async function takenPorts(wanted) {
  const found = []
  for (const entry of wanted) {
    if (await taken('127.0.0.1', entry.port)) found.push({ ...entry, fleet: await answersHealth(entry.port) })
  }
  return found
}

async function waitFor(host, port, seconds) {
  for (let i = 0; i < seconds * 4; i++) {
    if (await answers(host, port)) return true
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  return false
}

const isLocal = (host) => ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)

/** Makes sure a server answers; starts the local one when it is installed and stopped. */
async function ensureServer({ name, url, defaultPort, start }) {
  const host = url.hostname
  const port = url.port || defaultPort
  if (await answers(host, port)) return
  if (!isLocal(host)) throw new Error(`${name} at ${host}:${port} does not answer`)
  const command = start(port)
  if (!command) throw new Error(`${name} is not running on ${host}:${port} and no local ${name} is installed`)
  warn(`${name} is not running on ${host}:${port}; starting it: ${command.join(' ')}`)
  spawnSync(command[0], command.slice(1), { stdio: 'inherit' })
  if (!(await waitFor(host, port, 30))) throw new Error(`${name} did not come up on ${host}:${port}`)
}

const hasCommand = (command) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0

export async function ensurePostgresAndRedis() {
  await ensureServer({
    name: 'PostgreSQL',
    url: postgresServerUrl(),
    defaultPort: 5432,
    start: () => {
      if (!hasCommand('pg_ctlcluster') || !existsSync('/etc/postgresql')) return undefined
      const [version] = readdirSync('/etc/postgresql')
      return version ? ['pg_ctlcluster', '--skip-systemctl-redirect', version, 'main', 'start'] : undefined
    },
  })
  await ensureServer({
    name: 'Redis',
    url: new URL(redisUrl()),
    defaultPort: 6379,
    start: (port) =>
      hasCommand('redis-server')
        ? [
            'redis-server',
            '--daemonize',
            'yes',
            '--bind',
            '127.0.0.1',
            '--port',
            String(port),
            '--save',
            '',
            '--appendonly',
            'no',
          ]
        : undefined,
  })
}

// Debian tools some tests run for real: the package that provides each command (or file).
const DEBIAN_TOOLS = [
  { command: 'promtool', pkg: 'prometheus' },
  { command: 'prometheus-node-exporter', pkg: 'prometheus-node-exporter' },
  { command: 'prometheus-alertmanager', pkg: 'prometheus-alertmanager' },
  { command: 'nginx', pkg: 'nginx' },
  { command: 'curl', pkg: 'curl' },
  { command: 'chromium', pkg: 'chromium' },
  // A Korean font, so the front end's screenshots show the menus' names.
  { file: '/usr/share/fonts/truetype/nanum', pkg: 'fonts-nanum' },
]
const present = (tool) => (tool.command ? hasCommand(tool.command) : existsSync(tool.file))

/**
 * Installs the Debian tools the tests run for real (promtool, prometheus, nginx, curl, chromium, a
 * Korean font) when they are missing and we may (root, apt-get); otherwise says what to install.
 * The tests that need a missing tool fail.
 */
export function ensureDebianTools() {
  const missing = DEBIAN_TOOLS.filter((tool) => !present(tool)).map((tool) => tool.pkg)
  if (missing.length === 0) return
  if (process.getuid?.() !== 0 || !hasCommand('apt-get')) {
    warn(`missing Debian packages: ${missing.join(' ')} (sudo apt-get install ${missing.join(' ')})`)
    return
  }
  say(`installing ${missing.join(' ')} from Debian`)
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  run('apt-get', ['update', '-q'], { env })
  run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], { env })
}

/**
 * pnpm 9's note on the builds it skipped, when it names only those the project skips on purpose
 * (package.json's pnpm.neverBuiltDependencies): it reads like something to fix, and pnpm 9 has no
 * setting to silence it (10.1's ignoredBuiltDependencies).
 */
export function isIntendedSkipNote(line, neverBuilt) {
  const names = /^The following dependencies have build scripts that were ignored: (.*)$/.exec(line)?.[1]
  if (names) return names.split(', ').every((name) => neverBuilt.includes(name))
  return false
}

/** Installs dependencies exactly as locked, its output passed through but for the note above. */
export function installDependencies(pnpm) {
  say('installing dependencies (pnpm install --frozen-lockfile)')
  const neverBuilt = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).pnpm?.neverBuiltDependencies ?? []
  const child = spawn(pnpm, ['install', '--frozen-lockfile'], { cwd: ROOT, stdio: ['inherit', 'pipe', 'inherit'] })
  let skipping = false
  const lines = createInterface({ input: child.stdout, crlfDelay: Number.POSITIVE_INFINITY })
  lines.on('line', (line) => {
    // The note is two lines: the names, then how to allow their builds.
    if (isIntendedSkipNote(line, neverBuilt)) skipping = true
    else if (skipping && line.startsWith('To allow the execution of build scripts')) skipping = false
    else process.stdout.write(`${line}\n`)
  })
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${pnpm} install --frozen-lockfile exited with ${code ?? signal}`)),
    )
  })
}

/**
 * Line-buffered copy of a child's output, each line behind a coloured `[name]` prefix: the lines
 * of a chunk passed through unparsed, in one write (a write per line cost a system call each,
 * under load most of the launcher's time).
 */
export function pipeWithPrefix(stream, name, colourCode, out) {
  const prefix = `${colour(colourCode, `[${name}]`.padEnd(13))} `
  let pending = ''
  stream.setEncoding('utf8')
  stream.on('data', (chunk) => {
    const text = pending + chunk
    const end = text.lastIndexOf('\n')
    pending = text.slice(end + 1)
    if (end >= 0) out.write(`${prefix}${text.slice(0, end).replaceAll('\n', `\n${prefix}`)}\n`)
  })
  stream.on('end', () => pending && out.write(`${prefix}${pending}\n`))
}

export { spawn }

/**
 * One Redis command over RESP (Node built-ins only), on the database REDIS_URL's path names
 * (`redis://host:6379/2`); resolves to its integer or simple reply.
 */
export function redisCommand(url, args) {
  const { hostname, port, pathname } = new URL(url)
  const database = pathname.slice(1)
  const frame = (words) =>
    `*${words.length}\r\n${words.map((word) => `$${Buffer.byteLength(String(word))}\r\n${word}\r\n`).join('')}`
  const commands = database ? [['SELECT', database], args] : [args]
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port || 6379), hostname.replace(/^\[|\]$/g, ''))
    let received = ''
    socket.on('data', (chunk) => {
      received += chunk
      const replies = received.split('\r\n').slice(0, -1)
      if (replies.length < commands.length) return
      socket.end()
      const failed = replies.find((reply) => reply.startsWith('-'))
      if (failed) return reject(new Error(`Redis: ${failed.slice(1)}`))
      const last = replies.at(-1)
      resolve(last.startsWith(':') ? Number(last.slice(1)) : last.slice(1))
    })
    socket.on('error', reject)
    socket.write(commands.map(frame).join(''))
  })
}
