import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { parse, stringify } from 'yaml'

export interface CommandResult {
  code: number
  output: string
}

/** Runs a command to its end; its stdout and stderr together, whatever the exit code. */
export function runCommand(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  cwd?: string,
): Promise<CommandResult> {
  return new Promise((done) => {
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk
    })
    child.on('error', (error) => done({ code: -1, output: `${command}: ${error.message}` }))
    child.on('close', (code) => done({ code: code ?? -1, output }))
  })
}

/** Like runCommand, but a failure throws with everything the command printed. */
export async function mustRun(command: string, args: string[], env?: NodeJS.ProcessEnv, cwd?: string): Promise<string> {
  const result = await runCommand(command, args, env, cwd)
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.code}:\n${result.output}`)
  return result.output
}

/** The Compose the machine has: v2 (`docker compose`) when it answers, else v1 (`docker-compose`). */
export async function findCompose(): Promise<{ command: string; prefix: string[]; version: string }> {
  const v2 = await runCommand('docker', ['compose', 'version', '--short'])
  if (v2.code === 0) return { command: 'docker', prefix: ['compose'], version: v2.output.trim() }
  const v1 = await runCommand('docker-compose', ['version', '--short'])
  if (v1.code === 0) return { command: 'docker-compose', prefix: [], version: v1.output.trim() }
  throw new Error('neither `docker compose` (v2) nor `docker-compose` (v1) is installed')
}

// biome-ignore lint/suspicious/noExplicitAny: compose documents, read and rewritten field by field
type Document = any

/** A bind mount's host side made absolute (named volumes stay as they are). */
function absoluteVolume(volume: string, base: string): string {
  const [source, ...rest] = volume.split(':')
  if (!source || !(source.startsWith('.') || source.startsWith('/'))) return volume
  return [resolve(base, source), ...rest].join(':')
}

function withAbsolutePaths(service: Document, base: string): Document {
  const copy = { ...service }
  if (copy.volumes) copy.volumes = copy.volumes.map((volume: string) => absoluteVolume(volume, base))
  if (copy.build) {
    const context = resolve(base, copy.build.context ?? '.')
    copy.build = { ...copy.build, context }
    if (copy.build.dockerfile && !isAbsolute(copy.build.dockerfile)) {
      copy.build.dockerfile = join(context, copy.build.dockerfile)
    }
  }
  return copy
}

/**
 * The project's compose definition (`docker-compose.yml` and the files it includes) as one
 * document both Compose v1 and v2 read, holding only `services`: what v1 lacks is resolved here
 * (`include:` merged in, YAML merge keys expanded, every host path made absolute, so the file
 * may live anywhere) and the top-level `name:` is left to `-p`. Named volumes lose their fixed
 * `name:` so that a test project never touches the volumes of a fleet the user runs. Everything
 * else is taken as written.
 */
export function renderCompose(rootFile: string, services: string[]): string {
  const merged: Document = { services: {}, volumes: {} }
  const add = (file: string) => {
    const document: Document = parse(readFileSync(file, 'utf8'), { merge: true })
    const base = dirname(file)
    for (const entry of document.include ?? []) add(resolve(base, typeof entry === 'string' ? entry : entry.path))
    for (const [name, service] of Object.entries(document.services ?? {})) {
      merged.services[name] = withAbsolutePaths(service, base)
    }
    for (const [name, volume] of Object.entries<Document>(document.volumes ?? {})) {
      const { name: _fixedName, ...rest } = volume ?? {}
      merged.volumes[name] = rest
    }
  }
  add(rootFile)
  const missing = services.filter((name) => !(name in merged.services))
  if (missing.length > 0) throw new Error(`not in the compose definition: ${missing.join(', ')}`)
  const selected: Document = {}
  for (const name of services) {
    const dependsOn = merged.services[name].depends_on ?? []
    const needs = Array.isArray(dependsOn) ? dependsOn : Object.keys(dependsOn)
    const outside = needs.filter((dependency: string) => !services.includes(dependency))
    if (outside.length > 0) throw new Error(`${name} needs ${outside.join(', ')}, which is not selected`)
    selected[name] = merged.services[name]
  }
  const used = new Set(
    Object.values<Document>(selected).flatMap((service) =>
      (service.volumes ?? []).map((volume: string) => volume.split(':')[0]),
    ),
  )
  const volumes = Object.fromEntries(Object.entries(merged.volumes).filter(([name]) => used.has(name)))
  // YAML 1.1, as Compose v1 (PyYAML) reads it: `no`, `on` and the like are quoted, not booleans.
  return stringify({ services: selected, volumes }, { version: '1.1', aliasDuplicateObjects: false })
}
