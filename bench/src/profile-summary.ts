/**
 * `npm run bench:profile -- <dir> [top]`: where each service process's time went, from the CPU
 * profiles `BENCH_CPU_PROFILE=<dir> npm run bench` leaves (docs/performance.md).
 */
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}

export interface CpuProfile {
  nodes: ProfileNode[]
  /** When profiling began, on the monotonic clock (µs); each sample's time is this plus the deltas so far. */
  startTime: number
  samples: number[]
  timeDeltas: number[]
}

/** Where a frame's code comes from: an npm package, the fleet's own code, node itself, or V8's pseudo-frames. */
export function originOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)'
  const inPackage = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (inPackage) return inPackage[1] as string
  if (url.startsWith('node:')) return 'node:internal'
  const fleet = /\/(services\/[^/]+|packages\/[^/]+)\//.exec(url)
  return fleet ? (fleet[1] as string) : url
}

/**
 * Self time (µs) by origin and by function, from a profile's samples; with `window` (the monotonic
 * clock's µs, `Figures.window`), only the samples taken while a measured load ran, not the service's
 * start-up, its warm-up or its idling.
 */
export function selfTimes(profile: CpuProfile, window?: { fromUs: number; toUs: number }) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]))
  const byOrigin = new Map<string, number>()
  const byFunction = new Map<string, number>()
  let total = 0
  let at = profile.startTime
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0
    at += delta
    if (window && (at < window.fromUs || at > window.toUs)) return
    const frame = nodes.get(id)?.callFrame
    if (!frame) return
    total += delta
    const origin = originOf(frame.url, frame.functionName)
    byOrigin.set(origin, (byOrigin.get(origin) ?? 0) + delta)
    const name = `${frame.functionName || '(anonymous)'} ${origin}${frame.url ? `:${frame.lineNumber + 1}` : ''}`
    byFunction.set(name, (byFunction.get(name) ?? 0) + delta)
  })
  return { total, byOrigin, byFunction }
}

const share = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1).padStart(5)}%`

/** Packages that are tracing's own code: the SDK, its instrumentations and their module hooks, the fleet's bootstrap. */
export const isTracingCode = (origin: string) =>
  origin.startsWith('@opentelemetry/') ||
  origin === '@fastify/otel' ||
  origin === 'import-in-the-middle' ||
  origin === 'require-in-the-middle' ||
  origin === 'packages/telemetry'

export interface Window {
  fromUs: number
  toUs: number
}

/**
 * Where the CPU went during measured loads, as the tracing section prints it: the profiles of one
 * or more processes (`parts`, each with the windows its loads ran in) added together; their busy
 * CPU per request served, the share of it in tracing's own code, then the `top` packages and
 * functions by self time (shares of busy time).
 */
export async function printLoadProfile(
  label: string,
  parts: { file: string; windows: Window[] }[],
  requests: number,
  top = 8,
): Promise<{ busyUsPerRequest: number; tracingShare: number }> {
  let total = 0
  const byOrigin = new Map<string, number>()
  const byFunction = new Map<string, number>()
  const add = (into: Map<string, number>, from: Map<string, number>) => {
    for (const [name, time] of from) into.set(name, (into.get(name) ?? 0) + time)
  }
  for (const { file, windows } of parts) {
    const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile
    for (const window of windows) {
      const times = selfTimes(profile, window)
      total += times.total
      add(byOrigin, times.byOrigin)
      add(byFunction, times.byFunction)
    }
  }
  const busy = total - (byOrigin.get('(idle)') ?? 0)
  const tracing = [...byOrigin].filter(([origin]) => isTracingCode(origin)).reduce((sum, [, time]) => sum + time, 0)
  const busyUsPerRequest = busy / Math.max(1, requests)
  const tracingShare = tracing / Math.max(1, busy)
  console.log(
    `   ${label}: ${(busy / 1e6).toFixed(1)} s busy, ${busyUsPerRequest.toFixed(0)} µs per request; tracing's own code (OpenTelemetry, its module hooks, packages/telemetry) ${(100 * tracingShare).toFixed(1)}% of it`,
  )
  const sorted = (map: Map<string, number>) =>
    [...map].filter(([name]) => !name.startsWith('(idle)')).sort((a, b) => b[1] - a[1])
  const origins = sorted(byOrigin)
    .slice(0, top)
    .map(([origin, time]) => `${share(time, busy).trim()} ${origin}`)
  console.log(`     by package: ${origins.join(', ')}`)
  for (const [name, time] of sorted(byFunction).slice(0, top)) console.log(`     ${share(time, busy)}  ${name}`)
  return { busyUsPerRequest, tracingShare }
}

/**
 * For each .cpuprofile in `dir` (one per service process): self time by package (or node's own
 * parts: the garbage collector, idle, the program) and the `top` functions that cost most.
 */
async function main([dir, top = '15']: string[]) {
  if (!dir) throw new Error('usage: npm run bench:profile -- <dir with .cpuprofile files> [top]')
  for (const file of (await readdir(dir)).filter((name) => name.endsWith('.cpuprofile')).sort()) {
    const { total, byOrigin, byFunction } = selfTimes(JSON.parse(await readFile(join(dir, file), 'utf8')))
    const busy = total - (byOrigin.get('(idle)') ?? 0)
    console.log(`\n${file}: ${(total / 1e6).toFixed(1)} s profiled, ${(busy / 1e6).toFixed(1)} s busy (shares of busy)`)
    const sorted = (map: Map<string, number>) =>
      [...map].filter(([name]) => !name.startsWith('(idle)')).sort((a, b) => b[1] - a[1])
    for (const [origin, time] of sorted(byOrigin).slice(0, Number(top)))
      console.log(`  ${share(time, busy)}  ${origin}`)
    console.log('  functions:')
    for (const [name, time] of sorted(byFunction).slice(0, Number(top))) console.log(`  ${share(time, busy)}  ${name}`)
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv.slice(2))
