import { readFileSync, rmSync } from 'node:fs'
import type { Reporter } from 'vitest/node'

/**
 * Fails the run when any of its processes reached a port of the fleet `npm start` runs: the
 * port guard (port-guard.mjs) refused the connection and wrote it down in FLEET_PORT_GUARD_LOG.
 */
export default class PortGuardReporter implements Reporter {
  onTestRunEnd(): void {
    const log = process.env.FLEET_PORT_GUARD_LOG
    if (!log) return
    let text = ''
    try {
      text = readFileSync(log, 'utf8')
    } catch {}
    rmSync(log, { force: true })
    const lines = [...new Set(text.split('\n').filter(Boolean))]
    if (lines.length === 0) return
    console.log(['', '── tests reached the fleet npm start runs ──', ...lines.map((line) => `  ${line}`)].join('\n'))
    process.exitCode = 1
  }
}
