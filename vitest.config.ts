import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { defineConfig } from 'vitest/config'

// Every process of the run (workers, the CLIs and services tests spawn) loads the port guard: no
// test may reach the fleet `npm start` runs on this machine; the guard's reporter fails the run if one did.
const guard = pathToFileURL(join(import.meta.dirname, 'packages/testing/src/port-guard.mjs')).href
if (!process.env.NODE_OPTIONS?.includes(guard)) {
  process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --import=${guard}`.trim()
  process.env.FLEET_PORT_GUARD_LOG = join(tmpdir(), `fleet-port-guard-${process.pid}.log`)
}

export default defineConfig({
  test: {
    reporters: [
      'default',
      './packages/testing/src/failure-digest-reporter.ts',
      './packages/testing/src/port-guard-reporter.ts',
    ],
    projects: [
      'packages/*/vitest.config.ts',
      'services/*/vitest.config.ts',
      'infra/vitest.config.ts',
      'nginx/vitest.config.ts',
      'lab/vitest.config.ts',
      'bench/vitest.config.ts',
      'load-tests/vitest.config.ts',
    ],
  },
})
