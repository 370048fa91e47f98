import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { parseImageRuntime } from '../bench/image-runtime.ts'

describe('the bench runs node as the images do', () => {
  it('reads NODE_OPTIONS and the CMD’s node flags from the Dockerfile', async () => {
    const dockerfile = await readFile(new URL('../../Dockerfile', import.meta.url), 'utf8')
    const runtime = parseImageRuntime(dockerfile)
    expect(runtime.nodeOptions).toMatch(/^--conditions=compiled /)
    expect(runtime.nodeOptions).toContain('--max-semi-space-size=')
    expect(runtime.nodeFlags).toEqual([expect.stringMatching(/^--heap-growing-percent=\d+$/)])
  })

  it('takes the flags before --import, the healthcheck’s CMD aside', () => {
    const dockerfile = [
      'ENV NODE_ENV=production NODE_OPTIONS="--conditions=compiled"',
      'HEALTHCHECK CMD ["node", "/app/docker/healthcheck.mjs"]',
      'CMD ["node", "--a=1", "--b", "--import", "x", "server.js"]',
    ].join('\n')
    expect(parseImageRuntime(dockerfile)).toEqual({ nodeOptions: '--conditions=compiled', nodeFlags: ['--a=1', '--b'] })
  })

  it('refuses a Dockerfile whose service does not start as node … --import …', () => {
    expect(() => parseImageRuntime('CMD ["node", "--import", "x"]')).toThrow(/NODE_OPTIONS/)
    expect(() => parseImageRuntime('ENV NODE_OPTIONS="--x"\nCMD ["npm", "start"]')).toThrow(/CMD/)
    expect(() => parseImageRuntime('ENV NODE_OPTIONS="--x"')).toThrow(/CMD/)
  })
})
