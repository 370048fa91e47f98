/**
 * The services' ports, defined once in @food/config (SERVICE_PORTS): npm start's launcher, which
 * runs before anything is installed and so keeps its own list (scripts/lib.mjs), the compose
 * stack and the services' own defaults all agree with it.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { SERVICE_PORTS } from '@food/config'
import { loadOrderConfig } from '@food/order-service/config'
import { loadRestaurantConfig } from '@food/restaurant-service/config'
import { loadUserConfig } from '@food/user-service/config'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { INFRA } from './config-files.ts'

const ROOT = join(INFRA, '..')

describe('the services’ ports', () => {
  it('are the same in npm start’s launcher, the compose stack and the services’ defaults', async () => {
    const { SERVICES } = (await import(pathToFileURL(join(ROOT, 'scripts/lib.mjs')).href)) as {
      SERVICES: { name: string; port: number }[]
    }
    expect(Object.fromEntries(SERVICES.map((service) => [service.name, service.port]))).toEqual(SERVICE_PORTS)
    // biome-ignore lint/suspicious/noExplicitAny: a compose document, read field by field
    const compose: any = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true })
    for (const [service, port] of Object.entries(SERVICE_PORTS)) {
      expect(compose.services[service].environment.PORT, service).toBe(String(port))
    }
    const env = { NODE_ENV: 'development', DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/any' }
    expect([loadUserConfig(env).PORT, loadRestaurantConfig(env).PORT, loadOrderConfig(env).PORT]).toEqual([
      SERVICE_PORTS.user,
      SERVICE_PORTS.restaurant,
      SERVICE_PORTS.order,
    ])
  })
})
