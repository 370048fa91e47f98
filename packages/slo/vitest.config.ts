import { defineProject } from 'vitest/config'

export default defineProject({
  test: { name: 'slo', include: ['test/**/*.test.ts'] },
})
