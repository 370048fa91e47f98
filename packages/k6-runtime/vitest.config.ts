import { defineProject } from 'vitest/config'

export default defineProject({
  test: { name: 'k6-runtime', include: ['test/**/*.test.ts'], testTimeout: 30_000 },
})
