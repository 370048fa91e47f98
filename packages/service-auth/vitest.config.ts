import { defineProject } from 'vitest/config'

export default defineProject({
  test: { name: 'service-auth', include: ['test/**/*.test.ts'] },
})
