import { existsSync } from 'node:fs'
import { isAbsolute, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { renderCompose } from '../docker-test/compose.ts'
import { INFRA } from './config-files.ts'

const ROOT_FILE = join(INFRA, '..', 'docker-compose.yml')
const STACK = [
  'secrets',
  'postgres',
  'redis',
  'fault-proxy',
  'user',
  'restaurant',
  'order',
  'gateway',
  'prometheus',
  'alertmanager',
]

describe('renderCompose (the compose definition as Compose v1 reads it)', () => {
  // biome-ignore lint/suspicious/noExplicitAny: a compose document, read field by field
  const rendered: any = parse(renderCompose(ROOT_FILE, STACK), { version: '1.1' })

  it('keeps the selected services, from the root file and the file it includes, and nothing v1 lacks', () => {
    expect(Object.keys(rendered).sort()).toEqual(['services', 'volumes'])
    expect(Object.keys(rendered.services)).toEqual(STACK)
    expect(rendered.services.prometheus.image).toMatch(/^prom\/prometheus:/)
  })

  it('expands the merge keys and makes every host path absolute and existing', () => {
    expect(rendered.services.user.environment.NODE_ENV).toBe('production')
    expect(rendered.services.order.environment.USER_SERVICE_URL).toBe('http://fault-proxy:28001')
    for (const service of Object.values<{ volumes?: string[]; build?: { context: string } }>(rendered.services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0] as string
        if (source.includes('/')) expect(isAbsolute(source) && existsSync(source), volume).toBe(true)
      }
      if (service.build) expect(existsSync(join(service.build.context, 'Dockerfile'))).toBe(true)
    }
    // The include's relative path is taken from the included file's folder.
    expect(rendered.services.prometheus.volumes[0]).toBe(
      `${join(INFRA, 'prometheus/prometheus.yml')}:/etc/prometheus/prometheus.yml:ro`,
    )
  })

  it('keeps the host-port variables for Compose to fill in, and strings YAML 1.1 would read as booleans', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Compose's variable syntax, not JavaScript's
    expect(rendered.services.gateway.ports).toEqual(['127.0.0.1:${GATEWAY_HOST_PORT:-80}:80'])
    expect(rendered.services.redis.command).toEqual(['redis-server', '--save', '', '--appendonly', 'no'])
  })

  it('scopes the named volumes to the project: no fixed name another stack shares', () => {
    expect(Object.keys(rendered.volumes).sort()).toEqual(['fleet-logs', 'fleet-secrets', 'postgres-data'])
    expect(rendered.volumes['fleet-logs']?.name).toBeUndefined()
  })

  it('refuses a selection that leaves out what a service needs, or names what is not defined', () => {
    expect(() => renderCompose(ROOT_FILE, ['order'])).toThrow(/order needs secrets, fault-proxy, user, restaurant/)
    expect(() => renderCompose(ROOT_FILE, ['kafka'])).toThrow(/not in the compose definition: kafka/)
  })
})
