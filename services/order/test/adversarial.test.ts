import { serviceAuthorization } from '@food/service-auth'
import { describe, expect, it } from 'vitest'
import { FLEET_START_MS, fleetTest, type TestFleet } from './helpers/fleet.ts'

/**
 * Every route of every service, as its OpenAPI document lists it, sent what an attacker or a
 * broken client sends: ids out of range or not numbers, bodies that are not JSON or not objects,
 * deep or huge, every field of the wrong type or holding a NUL character, unknown fields,
 * forged tokens. Each answer must be a 4xx in the fleet's error shape (or a success), never a 5xx.
 */
// The file's helpers share the fixture's fleet; the fixture closes it after the last test.
let fleet: TestFleet
let userToken: string
fleetTest.beforeAll(async ({ fleet: started }) => {
  fleet = started
  userToken = (await fleet.user.createUser()).token
}, FLEET_START_MS)

// biome-ignore lint/suspicious/noExplicitAny: OpenAPI documents, read field by field
type OpenApi = { paths: Record<string, Record<string, any>> }

const UNTOUCHED = /^\/(health|metrics|docs|redoc)/
const BAD_IDS = ['0', '-1', '2147483648', '99999999999999999999', 'abc', '1.5', '1e3', '%00', '%E0%A4%A', '%20']
const FORGED = [
  'Bearer not.a.token',
  `Bearer ${'a'.repeat(4000)}`,
  'Basic dXNlcjpwYXNz',
  // alg "none", sub 1: must never be taken.
  'Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiIxIiwiaXNzIjoiZm9vZC1kZWxpdmVyeS91c2VyIn0.',
]

/** A value of another JSON type than `schema` asks for. */
// biome-ignore lint/suspicious/noExplicitAny: a JSON schema
function wrongType(schema: any): unknown {
  switch (schema?.type) {
    case 'string':
      return 12345
    case 'integer':
    case 'number':
      return '1'
    case 'array':
      return { not: 'an array' }
    case 'boolean':
      return 'yes'
    default:
      return [[]]
  }
}

/** Bodies for a route whose request body has `schema` (resolved properties, if any). */
// biome-ignore lint/suspicious/noExplicitAny: a JSON schema
function badBodies(schema: any): string[] {
  const properties: Record<string, unknown> = schema?.properties ?? {}
  let deep: unknown = 'bottom'
  for (let i = 0; i < 300; i++) deep = { nested: deep }
  const names = Object.keys(properties)
  return [
    '{',
    '[]',
    'null',
    '42',
    '"text"',
    JSON.stringify(deep),
    JSON.stringify(Object.fromEntries(names.map((name) => [name, wrongType(properties[name])]))),
    JSON.stringify(Object.fromEntries(names.map((name) => [name, 'nul\u0000byte']))),
    JSON.stringify(Object.fromEntries(names.map((name) => [name, 'x'.repeat(10_000)]))),
    JSON.stringify({ is_admin: true, __proto__: { polluted: true }, constructor: { prototype: {} } }),
  ]
}

// biome-ignore lint/suspicious/noExplicitAny: JSON answers
function expectClientAnswer(where: string, status: number, body: any) {
  expect(status, where).toBeLessThan(500)
  if (status >= 400) {
    expect(body?.error, where).toEqual(
      expect.objectContaining({ code: expect.any(String), message: expect.any(String) }),
    )
  }
}

async function send(baseUrl: string, method: string, path: string, headers: Record<string, string>, body?: string) {
  const response = await fetch(`${baseUrl}${path}`, {
    method: method.toUpperCase(),
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body,
  })
  const text = await response.text()
  let parsed: unknown
  try {
    parsed = text ? JSON.parse(text) : undefined
  } catch {
    parsed = text
  }
  return { status: response.status, body: parsed }
}

describe('an adversarial client, on every route of every service', () => {
  it.each(['user', 'restaurant', 'order'] as const)(
    'never gets a 5xx from the %s service',
    async (name) => {
      const service = fleet[name]
      const credentials: Record<string, string>[] = [
        {},
        { authorization: `Bearer ${userToken}` },
        ...(name === 'restaurant' ? [serviceAuthorization(fleet.restaurant.config.SERVICE_TOKEN)] : []),
        ...FORGED.map((authorization) => ({ authorization })),
      ]
      const document = (await (await fetch(`${service.baseUrl}/docs/json`)).json()) as OpenApi
      const routes = Object.entries(document.paths).flatMap(([path, operations]) =>
        Object.entries(operations).map(([method, operation]) => ({ path, method, operation })),
      )
      expect(routes.length).toBeGreaterThan(3)
      let sent = 0
      for (const { path, method, operation } of routes.filter((route) => !UNTOUCHED.test(route.path))) {
        const hasParams = /\{[^}]+\}/.test(path)
        for (const id of hasParams ? BAD_IDS : []) {
          const where = `${method.toUpperCase()} ${path} with ${id}`
          const answer = await send(service.baseUrl, method, path.replace(/\{[^}]+\}/g, id), {
            authorization: `Bearer ${userToken}`,
          })
          expectClientAnswer(where, answer.status, answer.body)
          sent++
        }
        const concrete = path.replace(/\{[^}]+\}/g, '1')
        for (const headers of credentials) {
          const answer = await send(service.baseUrl, method, concrete, headers)
          expectClientAnswer(
            `${method.toUpperCase()} ${path} as ${JSON.stringify(headers).slice(0, 40)}`,
            answer.status,
            answer.body,
          )
          sent++
        }
        const schema = operation.requestBody?.content?.['application/json']?.schema
        if (!schema) continue
        for (const body of badBodies(schema)) {
          for (const headers of credentials.slice(0, 3)) {
            const answer = await send(service.baseUrl, method, concrete, headers, body)
            expectClientAnswer(`${method.toUpperCase()} ${path} body ${body.slice(0, 40)}`, answer.status, answer.body)
            sent++
          }
        }
      }
      expect(sent).toBeGreaterThan(50)
      // Nothing the attack sent switched a fault on.
      expect((await service.call('GET', '/chaos')).body.faults).toEqual({})
    },
    120_000,
  )
})
