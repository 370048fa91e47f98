/**
 * npm start's launcher passes each service's log lines to its terminal behind a `[name]` prefix:
 * whole lines only, in the order written, one write per chunk read.
 */
import { join } from 'node:path'
import { PassThrough, Writable } from 'node:stream'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
type PipeWithPrefix = (stream: PassThrough, name: string, colourCode: string, out: Writable) => void
const { pipeWithPrefix } = (await import(pathToFileURL(join(ROOT, 'scripts/lib.mjs')).href)) as {
  pipeWithPrefix: PipeWithPrefix
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
