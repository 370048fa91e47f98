import { defineProject } from 'vitest/config'

export default defineProject({
  test: { name: 'fault-proxy', include: ['test/**/*.test.ts'] },
})
