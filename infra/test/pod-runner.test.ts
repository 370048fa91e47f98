import { describe, expect, it } from 'vitest'
import { dockerQuantity } from '../docker-test/pod-runner.ts'

describe('PodRunner: a memory limit as Docker takes it', () => {
  it('turns Kubernetes binary quantities into Docker sizes, and refuses what it cannot read', () => {
    expect(dockerQuantity('256Mi')).toBe('256m')
    expect(dockerQuantity('1Gi')).toBe('1g')
    expect(dockerQuantity('512Ki')).toBe('512k')
    expect(() => dockerQuantity('0.5Gi')).toThrow(/not understood/)
    expect(() => dockerQuantity('300M')).toThrow(/not understood/)
  })
})
