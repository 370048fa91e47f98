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
      samples: [2, 2, 3, 1],
      timeDeltas: [100, 300, 1000, 50],
    })
    expect(times.total).toBe(1450)
    expect(Object.fromEntries(times.byOrigin)).toEqual({ pg: 400, '(idle)': 1000, '(root)': 50 })
    expect(times.byFunction.get('query pg:10')).toBe(400)
  })
})
