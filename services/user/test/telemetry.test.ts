import { fileURLToPath } from 'node:url'
import { createDatabaseFromTemplate, spawnService, uniqueRedisPrefix } from '@food/testing'
import { describe, expect, inject, it } from 'vitest'

describe('telemetry bootstrap without an OTLP endpoint', () => {
  it('starts, serves, stops, and says nothing about exporting', async () => {
    const database = await createDatabaseFromTemplate(inject('postgresUrl'), inject('templates').user as string)
    const service = await spawnService(fileURLToPath(new URL('..', import.meta.url)), {
      DATABASE_URL: database.url,
      REDIS_URL: inject('redisUrl'),
      REDIS_KEY_PREFIX: uniqueRedisPrefix('user'),
      OTEL_SERVICE_NAME: 'user-service',
      OTEL_EXPORTER_OTLP_ENDPOINT: '',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    })
    try {
      for (let i = 0; i < 5; i++) expect((await fetch(`${service.baseUrl}/users/1`)).status).toBe(404)
      await new Promise((resolve) => setTimeout(resolve, 500)) // several export intervals
    } finally {
      await service.stop()
      await database.drop()
    }
    const output = `${service.lines.join('\n')}\n${service.stderr()}`
    // The OTLP ports as an address (`:4318`), not as digits any request id's UUID may hold.
    expect(output).not.toMatch(/otlp|exporter|ECONNREFUSED|:431[78]\b/i)
    expect(service.lines.some((line) => line.includes('"route":"/users/:id"'))).toBe(true)
  })
})
