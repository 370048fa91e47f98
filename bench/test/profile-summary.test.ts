import { describe, expect, it } from 'vitest'
import { originOf, selfTimes } from '../src/profile-summary.ts'

describe('the CPU profile summary of npm run bench:profile', () => {
  it('names where a frame comes from: a package under pnpm, the fleet’s code, node, or V8', () => {
    expect(originOf('file:///app/node_modules/.pnpm/pg@8.23.1/node_modules/pg/lib/client.js', 'query')).toBe('pg')
    expect(
      originOf('file:///app/node_modules/.pnpm/@fastify+ajv@1/node_modules/@fastify/ajv-compiler/index.js', 'x'),
    ).toBe('@fastify/ajv-compiler')
    expect(originOf('file:///repo/.fleet/compiled/services/order/src/saga/place-order.js', 'run')).toBe(
      'services/order',
    )
    expect(originOf('node:internal/streams/writable', 'write')).toBe('node:internal')
    expect(originOf('', '(garbage collector)')).toBe('(garbage collector)')
    expect(originOf('', 'writev')).toBe('(native)')
  })

  it('adds each sample’s time to the frame it landed in, by origin and by function', () => {
    const frame = (id: number, functionName: string, url: string) => ({
      id,
      callFrame: { functionName, url, lineNumber: 9 },
    })
    const times = selfTimes({
      nodes: [
        frame(1, '(root)', ''),
        frame(2, 'query', 'file:///a/node_modules/pg/lib/client.js'),
        frame(3, '(idle)', ''),
      ],
      startTime: 0,
      samples: [2, 2, 3, 1],
      timeDeltas: [100, 300, 1000, 50],
    })
    expect(times.total).toBe(1450)
    expect(Object.fromEntries(times.byOrigin)).toEqual({ pg: 400, '(idle)': 1000, '(root)': 50 })
    expect(times.byFunction.get('query pg:10')).toBe(400)
  })

  it('counts only the samples taken in a window of the monotonic clock (a measured load)', () => {
    const frame = (id: number, functionName: string, url: string) => ({
      id,
      callFrame: { functionName, url, lineNumber: 0 },
    })
    const profile = {
      nodes: [
        frame(1, 'start', 'file:///a/services/user/src/server.js'),
        frame(2, 'query', 'file:///a/node_modules/pg/x.js'),
      ],
      startTime: 5_000,
      // Sampled at 5,100 (start-up), 6,100 and 6,400 (the load), 9,000 (idle after it).
      samples: [1, 2, 2, 1],
      timeDeltas: [100, 1000, 300, 2600],
    }
    const times = selfTimes(profile, { fromUs: 6_000, toUs: 7_000 })
    expect(times.total).toBe(1300)
    expect(Object.fromEntries(times.byOrigin)).toEqual({ pg: 1300 })
  })
})
