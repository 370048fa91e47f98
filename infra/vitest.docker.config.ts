import { defineProject } from 'vitest/config'

// `npm run test:docker`: the images built and the stack run on a real Docker engine. Not part of
// `npm test`, which needs no Docker.
export default defineProject({
  test: {
    name: 'docker',
    include: ['docker-test/**/*.test.ts'],
    // One stack at a time: each builds images and runs a dozen containers on two cores.
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 900_000,
  },
})
