import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { parseImageRuntime } from '../src/image-runtime.ts'

describe('the bench runs node as the images do', () => {
  it('reads NODE_OPTIONS and the CMD’s node arguments from the Dockerfile', async () => {
    const dockerfile = await readFile(new URL('../../Dockerfile', import.meta.url), 'utf8')
    const runtime = parseImageRuntime(dockerfile)
    expect(runtime.nodeOptions).toMatch(/^--conditions=compiled /)
    expect(runtime.nodeOptions).toContain('--max-semi-space-size=')
    expect(runtime.nodeArguments).toEqual([
      expect.stringMatching(/^--heap-growing-percent=\d+$/),
      '--import',
      '@food/telemetry/register',
      'src/server.js',
    ])
  })

  it('takes the service’s CMD, the healthcheck’s aside', () => {
    const dockerfile = [
      'ENV NODE_ENV=production NODE_OPTIONS="--conditions=compiled"',
      'HEALTHCHECK CMD ["node", "/app/docker/healthcheck.mjs"]',
      'CMD ["node", "--a=1", "--b", "--import", "x", "server.js"]',
    ].join('\n')
    expect(parseImageRuntime(dockerfile)).toEqual({
      nodeOptions: '--conditions=compiled',
      nodeArguments: ['--a=1', '--b', '--import', 'x', 'server.js'],
    })
  })

  it('refuses a Dockerfile without NODE_OPTIONS or whose service does not start as node …', () => {
    expect(() => parseImageRuntime('CMD ["node", "--import", "x"]')).toThrow(/NODE_OPTIONS/)
    expect(() => parseImageRuntime('ENV NODE_OPTIONS="--x"\nCMD ["npm", "start"]')).toThrow(/CMD/)
    expect(() => parseImageRuntime('ENV NODE_OPTIONS="--x"\nCMD ["node"]')).toThrow(/CMD/)
    expect(() => parseImageRuntime('ENV NODE_OPTIONS="--x"')).toThrow(/CMD/)
  })
})
