import { defineProject } from 'vitest/config'

export default defineProject({
  test: { name: 'trace-store', include: ['test/**/*.test.ts'], testTimeout: 30_000 },
})
