import { describe, expect, it } from 'vitest'
import { type GuardedRequest, parseAllowedHosts, type Refusal, refusalOf } from '../src/request-guard.ts'

// npm start's process API keeps a copy of the rule (it runs before anything is installed): both
// must give the same answers. A variable, so tsc does not look for the .mjs file's types.
const enginePath = import.meta.resolve('@food/supervisor/engine-api')
const engine = (await import(enginePath)) as {
  refusalOf: (request: GuardedRequest, allowed: readonly string[]) => Refusal | undefined
  parseAllowedHosts: typeof parseAllowedHosts
}
const rules = { 'request-guard.ts': refusalOf, 'engine-api.mjs': engine.refusalOf }

const ALLOWED = parseAllowedHosts(' user, Fault-Proxy ,,.lab.example ')

const allowed: GuardedRequest[] = [
  { method: 'GET', host: 'localhost:8001' },
  { method: 'GET', host: '127.0.0.1:8474' },
  { method: 'GET', host: '127.7.7.7' },
  { method: 'GET', host: '[::1]:8475' },
  { method: 'GET', host: 'app.localhost:8090' },
  { method: 'GET', host: 'LOCALHOST.:8001' },
  // An IP address cannot be rebound: a page sends it only when it was loaded from that address.
  { method: 'GET', host: '10.244.0.12:8080' },
  { method: 'GET', host: '[fd00::12]:8080' },
  { method: 'GET', host: 'host.docker.internal:8001' },
  { method: 'GET', host: 'user:8001' },
  { method: 'GET', host: 'fault-proxy:28001' },
  { method: 'GET', host: 'lab.example' },
  { method: 'GET', host: 'shop.lab.example:80' },
  { method: 'GET' },
  { method: 'GET', host: 'localhost:8003', origin: 'http://evil.example' },
  { method: 'POST', host: '127.0.0.1:8475' },
  { method: 'POST', host: '127.0.0.1:8475', origin: 'http://localhost:8090' },
  { method: 'POST', host: '127.0.0.1:8475', origin: 'http://127.0.0.1:8090' },
  { method: 'DELETE', host: '127.0.0.1:8474', origin: 'http://[::1]:8090' },
  { method: 'POST', host: 'fault-proxy:8474', origin: 'http://shop.lab.example' },
  { method: 'PUT', host: '192.168.1.5:8003', origin: 'http://192.168.1.5:8003' },
]

const refused: [GuardedRequest, Refusal['code']][] = [
  [{ method: 'GET', host: 'rebind.evil.example:8003' }, 'HOST_NOT_ALLOWED'],
  [{ method: 'GET', host: 'localhost.evil.example' }, 'HOST_NOT_ALLOWED'],
  [{ method: 'GET', host: '127.0.0.1.evil.example:8474' }, 'HOST_NOT_ALLOWED'],
  [{ method: 'GET', host: 'user.evil.example' }, 'HOST_NOT_ALLOWED'],
  [{ method: 'GET', host: 'evillab.example' }, 'HOST_NOT_ALLOWED'],
  [{ method: 'GET', host: 'evil.example:abc' }, 'HOST_NOT_ALLOWED'],
  [{ method: 'POST', host: 'rebind.evil.example:8475', origin: 'http://rebind.evil.example:8475' }, 'HOST_NOT_ALLOWED'],
  [{ method: 'POST', host: '127.0.0.1:8475', origin: 'http://evil.example' }, 'ORIGIN_NOT_ALLOWED'],
  [{ method: 'DELETE', host: 'localhost:8003', origin: 'https://evil.example' }, 'ORIGIN_NOT_ALLOWED'],
  [{ method: 'POST', host: '127.0.0.1:8475', origin: 'null' }, 'ORIGIN_NOT_ALLOWED'],
  [{ method: 'POST', host: '127.0.0.1:8475', origin: 'http://203.0.113.9' }, 'ORIGIN_NOT_ALLOWED'],
  [{ method: 'PATCH', host: '127.0.0.1:8475', origin: 'http://localhost.evil.example' }, 'ORIGIN_NOT_ALLOWED'],
]

describe.each(Object.entries(rules))('the control planes’ rule (%s)', (_name, rule) => {
  it.each(allowed)('lets %o through', (request) => {
    expect(rule(request, ALLOWED)).toBeUndefined()
  })

  it.each(refused)('refuses %o: %s', (request, code) => {
    expect(rule(request, ALLOWED)).toEqual({ code, message: expect.any(String) })
  })

  it('names what was refused and how to allow it', () => {
    expect(rule({ method: 'GET', host: 'rebind.evil.example:8003' }, [])?.message).toBe(
      'Host "rebind.evil.example:8003" is not this lab’s: use localhost or an IP address, or add the name to ALLOWED_HOSTS',
    )
    expect(rule({ method: 'POST', host: 'localhost:8475', origin: 'http://evil.example' }, [])?.message).toBe(
      'A page of http://evil.example may not change anything here: only the lab’s own pages (loopback or ALLOWED_HOSTS) may',
    )
  })
})

it('reads ALLOWED_HOSTS the same in both', () => {
  expect(ALLOWED).toEqual(['user', 'fault-proxy', '.lab.example'])
  expect(engine.parseAllowedHosts(' user, Fault-Proxy ,,.lab.example ')).toEqual(ALLOWED)
  expect(parseAllowedHosts(undefined)).toEqual([])
})
