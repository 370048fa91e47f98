import { describe, expect, it } from 'vitest'
import { describeEdge } from '../app/network-map.ts'

const toxic = (
  type: string,
  attributes: Record<string, number>,
  extra: { stream?: string; toxicity?: number } = {},
) => ({
  name: `${type}_${extra.stream ?? 'downstream'}`,
  type,
  stream: extra.stream ?? 'downstream',
  toxicity: extra.toxicity ?? 1,
  attributes,
})

describe('an edge in words, as the console’s map says it', () => {
  it('says healthy, down, or each toxic with its strength, direction and chance', () => {
    expect(describeEdge({ enabled: true, toxics: [] })).toBe('healthy')
    expect(describeEdge({ enabled: false, toxics: [toxic('latency', { latency: 5, jitter: 0 })] })).toBe('down')
    expect(describeEdge({ enabled: true, toxics: [toxic('latency', { latency: 300, jitter: 0 })] })).toBe(
      'latency 300 ms',
    )
    expect(
      describeEdge({
        enabled: true,
        toxics: [
          toxic('reset_peer', { timeout: 0 }, { toxicity: 0.25 }),
          toxic('bandwidth', { rate: 64 }, { stream: 'upstream' }),
        ],
      }),
    ).toBe('reset_peer (25%), bandwidth 64 ↑')
  })
})
