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

interface CpuProfile {
  nodes: ProfileNode[]
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

/** Self time (µs) by origin and by function, from a profile's samples. */
export function selfTimes(profile: CpuProfile) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]))
  const byOrigin = new Map<string, number>()
  const byFunction = new Map<string, number>()
  let total = 0
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0
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
