import { spawnSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Debian's Chromium, headless, as the probe of this machine starts it (no network of its own). */
export function chromium(args: string[]) {
  const run = spawnSync(
    'chromium',
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${join(tmpdir(), `chromium-${process.pid}`)}`,
      '--virtual-time-budget=3000',
      ...args,
    ],
    { encoding: 'utf8', timeout: 60_000 },
  )
  if (run.error) throw new Error(`chromium is missing: install Debian's chromium package (${run.error.message})`)
  return run
}
