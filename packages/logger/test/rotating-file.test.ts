/**
 * The log file's rotation (#36: `npm start` wrote 41 MB in 18 minutes under load): past its size
 * the file is renamed `<file>.1` (and so on, logrotate's way) and started anew, at most `keep`
 * files are kept, and no line is lost or split, also when the process exits at once after logging.
 */
import { spawnSync } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pino from 'pino'
import { afterAll, describe, expect, it } from 'vitest'
import { rotatingFile } from '../src/index.ts'

const dir = await mkdtemp(join(tmpdir(), 'fleet-logger-rotation-'))
afterAll(() => rm(dir, { recursive: true, force: true }))

/** `file`'s rotated files, oldest first, then itself: the order its lines were written in. */
async function filesOf(file: string): Promise<string[]> {
  const base = file.slice(file.lastIndexOf('/') + 1)
  const numbers = (await readdir(join(file, '..')))
    .filter((name) => name.startsWith(`${base}.`))
    .map((name) => Number(name.slice(base.length + 1)))
  return [...numbers.sort((a, b) => b - a).map((n) => `${file}.${n}`), file]
}

/** Each file's lines as JSON (a split line would not parse), once `count` lines are there in all. */
async function linesOf(file: string, count: number): Promise<Record<string, unknown>[][]> {
  for (let i = 0; i < 200; i++) {
    const texts = await Promise.all((await filesOf(file)).map((path) => readFile(path, 'utf8').catch(() => '')))
    const lines = texts.map((text) => text.split('\n').filter(Boolean))
    if (lines.flat().length >= count && texts.every((text) => text === '' || text.endsWith('\n'))) {
      return lines.map((each) => each.map((line) => JSON.parse(line)))
    }
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`fewer than ${count} lines in ${file} and its rotated files`)
}

const numbersOf = (lines: Record<string, unknown>[]) => lines.map((line) => line.n)
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i)

describe('the log file, rotated by size', () => {
  it('renames the file past its size and starts it anew, every line whole and in order', async () => {
    const file = join(dir, 'all', 'order.log')
    const logger = pino(rotatingFile(file, { maxBytes: 4096, keep: 100 }))
    // In bursts, so that writes coalesce as under load and a rotation falls between two of them.
    for (let n = 0; n < 2000; n++) {
      logger.info({ n, padding: 'x'.repeat(n % 50) }, 'request completed')
      if (n % 100 === 99) await new Promise((resolve) => setImmediate(resolve))
    }
    const files = await linesOf(file, 2000)
    expect(files.length).toBeGreaterThan(5)
    expect(numbersOf(files.flat())).toEqual(range(0, 2000))
    // Each rotated file stopped at its bound (the write that crossed it included).
    for (const path of (await filesOf(file)).slice(0, -1)) {
      const size = (await readFile(path)).byteLength
      expect(size).toBeGreaterThanOrEqual(4096)
      expect(size).toBeLessThan(4096 + 16 * 1024)
    }
  })

  it('keeps at most `keep` files: the newest lines, the oldest files dropped', async () => {
    const file = join(dir, 'kept', 'user.log')
    const logger = pino(rotatingFile(file, { maxBytes: 2048, keep: 3 }))
    for (let n = 0; n < 1000; n++) {
      logger.info({ n }, 'request completed')
      if (n % 20 === 19) await new Promise((resolve) => setImmediate(resolve))
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect((await readdir(join(dir, 'kept'))).sort()).toEqual(['user.log', 'user.log.1', 'user.log.2'])
    const numbers = numbersOf((await linesOf(file, 1)).flat()) as number[]
    expect(numbers.at(-1)).toBe(999)
    expect(numbers).toEqual(range(numbers[0] as number, 1000))
  })

  it('writes every line down when the process exits right after logging (as close-with-grace exits)', async () => {
    const file = join(dir, 'exit', 'restaurant.log')
    const script = join(dir, 'exit-at-once.mts')
    const logger = fileURLToPath(new URL('../src/index.ts', import.meta.url))
    await writeFile(
      script,
      `import { createLogger } from ${JSON.stringify(logger)}
const logger = createLogger({ service: 'restaurant', level: 'info', format: 'json', file: ${JSON.stringify(file)}, fileBounds: { maxBytes: 8192, keep: 50 } })
logger.info({ n: 0 }, 'started')
// A service logs from its start: its file is open by the time it exits (before, pino loses lines with or without rotation).
await new Promise((resolve) => setTimeout(resolve, 200))
for (let n = 1; n < 3000; n++) logger.info({ n }, 'request completed')
process.exit(0)
`,
    )
    const child = spawnSync(process.execPath, ['--import', 'tsx', script], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    })
    expect(child.status, child.stderr).toBe(0)
    expect(numbersOf((await linesOf(file, 3000)).flat())).toEqual(range(0, 3000))
  })
})
