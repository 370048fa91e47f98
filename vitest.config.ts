import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    reporters: ['default', './packages/testing/src/failure-digest-reporter.ts'],
    projects: [
      'packages/*/vitest.config.ts',
      'services/*/vitest.config.ts',
      'infra/vitest.config.ts',
      'nginx/vitest.config.ts',
      'load-tests/vitest.config.ts',
    ],
  },
})
