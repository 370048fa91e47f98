import { describe, expect, it } from 'vitest'
import { requestIdOf } from '../src/request-id.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const withHeader = (value?: string | string[]) => ({ headers: value === undefined ? {} : { 'x-request-id': value } })

describe('requestIdOf', () => {
  it('keeps a well-formed caller id: a UUID, nginx’s hex id, a dotted or colon-separated name', () => {
    for (const id of [
      '0b6c7d1e-8f1a-4c53-9a55-7e0b7a3c2f10',
      'e3b0c44298fc1c149afbf4c8996fb924',
      'trace-me-123',
      'k6.vu:3/iter=7',
      'a'.repeat(128),
    ]) {
      expect(requestIdOf(withHeader(id))).toBe(id)
    }
  })

  it('makes up a UUID when the caller sent none, or one that is too long, empty, repeated or not plain', () => {
    for (const header of [
      undefined,
      '',
      'a'.repeat(129),
      ['one', 'two'],
      'has space',
      'quote"',
      'new\nline',
      'tab\t',
      'ünïcode',
      '{"json":1}',
    ]) {
      expect(requestIdOf(withHeader(header)), JSON.stringify(header)).toMatch(UUID)
    }
  })

  it('makes a different id for each request without one', () => {
    expect(requestIdOf(withHeader())).not.toBe(requestIdOf(withHeader()))
  })
})
