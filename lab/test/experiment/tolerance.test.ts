import { describe, expect, it } from 'vitest'
import { withinTolerance } from '../../src/experiment/tolerance.ts'

const http = (status: number, body: unknown) => ({ status, headers: { 'content-type': 'application/json' }, body })

describe("tolerances, as Chaos Toolkit's", () => {
  it('a value is the http status, a list holds it, a range includes it, unless a target names another part', () => {
    expect(withinTolerance(200, http(200, {}))).toBe(true)
    expect(withinTolerance(200, http(503, {}))).toBe(false)
    expect(withinTolerance([200, 201], http(201, {}))).toBe(true)
    expect(withinTolerance([200, 201], http(409, {}))).toBe(false)
    expect(withinTolerance({ type: 'range', range: [200, 299] }, http(204, {}))).toBe(true)
    expect(withinTolerance({ type: 'range', range: [0, 10], target: 'body' }, http(200, 11))).toBe(false)
  })

  it('a regex searches the body, as text', () => {
    expect(withinTolerance({ type: 'regex', pattern: '"status":\\s*"ok"' }, http(200, { status: 'ok' }))).toBe(true)
    expect(withinTolerance({ type: 'regex', pattern: '^ready$' }, http(200, 'ready'))).toBe(true)
    expect(withinTolerance({ type: 'regex', pattern: 'ok', target: 'status' }, http(200, 'ok'))).toBe(false)
  })

  it('a JSONPath matches in the body: any match, exactly `count` matches, or every match equal to `expect`', () => {
    const chaos = http(200, {
      faults: { payment_fail: { value: 30 } },
      available: [{ name: 'delay' }, { name: 'error' }],
    })
    expect(withinTolerance({ type: 'jsonpath', path: '$.faults.payment_fail' }, chaos)).toBe(true)
    expect(withinTolerance({ type: 'jsonpath', path: '$.faults.delay' }, chaos)).toBe(false)
    expect(withinTolerance({ type: 'jsonpath', path: '$.faults.*', count: 1 }, chaos)).toBe(true)
    expect(withinTolerance({ type: 'jsonpath', path: '$.faults.*', count: 0 }, http(200, { faults: {} }))).toBe(true)
    expect(withinTolerance({ type: 'jsonpath', path: '$.faults.payment_fail.value', expect: 30 }, chaos)).toBe(true)
    expect(withinTolerance({ type: 'jsonpath', path: '$.available[*].name', expect: ['delay', 'error'] }, chaos)).toBe(
      true,
    )
    expect(withinTolerance({ type: 'jsonpath', path: '$.available[*].name', expect: 'delay' }, chaos)).toBe(false)
  })

  it('a prometheus value: a number, no data (null) within nothing but null, and every series within', () => {
    expect(withinTolerance({ type: 'range', range: [0, 0.3] }, 0.12)).toBe(true)
    expect(withinTolerance({ type: 'range', range: [0, 0.3] }, 0.31)).toBe(false)
    expect(withinTolerance({ type: 'range', range: [0, 0.3] }, null)).toBe(false)
    expect(withinTolerance(null, null)).toBe(true)
    const perService = [
      { labels: { service: 'user' }, value: 0.1 },
      { labels: { service: 'order' }, value: 0.5 },
    ]
    expect(withinTolerance({ type: 'range', range: [0, 1] }, perService)).toBe(true)
    expect(withinTolerance({ type: 'range', range: [0, 0.3] }, perService)).toBe(false)
  })

  it('an invariants output: a boolean is its ok', () => {
    expect(withinTolerance(true, { ok: true, broken: [], invariants: [] })).toBe(true)
    expect(withinTolerance(true, { ok: false, broken: ['stock never negative'], invariants: [] })).toBe(false)
    expect(
      withinTolerance({ type: 'jsonpath', path: '$.broken.length', expect: 0, target: 'ok' }, { ok: true, broken: [] }),
    ).toBe(false)
  })
})
