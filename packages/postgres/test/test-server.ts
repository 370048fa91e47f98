import { startTestInfrastructure } from '@food/test-infrastructure'
import { afterAll, beforeAll } from 'vitest'

/**
 * The PostgreSQL server of the calling test file (a container, or the server DATABASE_URL
 * names), started before its tests and stopped after them; returns its URL getter.
 */
export function useTestServer(): () => string {
  let serverUrl = ''
  let stop = async () => {}
  beforeAll(async () => {
    const infrastructure = await startTestInfrastructure()
    serverUrl = infrastructure.postgresUrl
    stop = infrastructure.stop
  })
  afterAll(() => stop())
  return () => serverUrl
}
