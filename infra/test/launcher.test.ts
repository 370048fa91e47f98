/**
 * npm start's launcher: it passes each service's log lines to its terminal behind a `[name]`
 * prefix (whole lines only, in the order written, one write per chunk read), and runs the services
 * with the V8 memory flags of the images.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { PassThrough, Writable } from 'node:stream'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
type PipeWithPrefix = (stream: PassThrough, name: string, colourCode: string, out: Writable) => void
const { pipeWithPrefix, imageMemoryFlags } = (await import(pathToFileURL(join(ROOT, 'scripts/lib.mjs')).href)) as {
  pipeWithPrefix: PipeWithPrefix
  imageMemoryFlags: (dockerfile?: string) => string[]
}

describe('npm start’s log prefixer', () => {
  it('prefixes every whole line, keeps a split line until its end comes, and writes once per chunk', async () => {
    const writes: string[] = []
    const out = new Writable({
      write(chunk, _encoding, done) {
        writes.push(chunk.toString())
        done()
      },
    })
    const child = new PassThrough()
    pipeWithPrefix(child, 'order', '1;34', out)
    const prefix = `${'[order]'.padEnd(13)} `
    for (const chunk of ['{"a":1}\n{"b":', '2}\n{"c":3}\n', 'no end yet', '… now\n', 'last']) {
      child.write(chunk)
      await new Promise((resolve) => setImmediate(resolve))
    }
    child.end()
    await new Promise((resolve) => setImmediate(resolve))
    expect(writes).toEqual([
      `${prefix}{"a":1}\n`,
      `${prefix}{"b":2}\n${prefix}{"c":3}\n`,
      `${prefix}no end yet… now\n`,
      `${prefix}last\n`,
    ])
  })
})

describe('npm start’s services', () => {
  it('run with the V8 memory flags the Dockerfile gives the images, from its NODE_OPTIONS and its CMD', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8')
    const flags = imageMemoryFlags()
    expect(flags.length).toBeGreaterThan(0)
    for (const flag of flags) expect(dockerfile).toContain(flag)
    expect(
      imageMemoryFlags(
        'ENV NODE_OPTIONS="--conditions=compiled --max-semi-space-size=4"\nCMD ["node", "--heap-growing-percent=50", "--import", "x", "src/server.js"]\n',
      ),
    ).toEqual(['--max-semi-space-size=4', '--heap-growing-percent=50'])
  })
})
