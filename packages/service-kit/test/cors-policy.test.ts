import { describe, expect, it } from 'vitest'
import { corsPolicy } from '../src/cors-policy.ts'

describe('corsPolicy', () => {
  it.each(['/menus', '/orders/1/cancel', '/login', '/health', '/chaosmonkey'])('opens %s to every origin', (url) => {
    expect(corsPolicy(url).origin).toBe('*')
  })

  it.each(['/chaos', '/chaos/', '/chaos/delay', '/chaos?x=1'])('closes %s to other origins', (url) => {
    expect(corsPolicy(url).origin).toBe(false)
  })
})
