/**
 * How a run of the lab's CLIs is interrupted: the first interruption stops it and lets its rollbacks
 * run, a second one leaves at once (docs/experiments.md#the-run).
 */

import { constants } from 'node:os'

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const
/** Signals closer than this to the acknowledgment are the same interruption, delivered twice. */
const SAME_INTERRUPTION_MS = 1000

export interface Interruption {
  signal: AbortSignal
  /** Stops listening (the run is over). */
  dispose(): void
}

/**
 * One interruption, however it comes (a terminal's Ctrl-C, SIGINT or SIGTERM to the process or its
 * group, a closed terminal's SIGHUP), aborts the run, whose rollbacks then run and whose record is
 * written marked `aborted`. A second one leaves at once, but only once the first was acknowledged: a
 * signal sent to a process group reaches this process twice (directly, and forwarded by npm, its
 * parent), and that is one interruption.
 */
export function listenForInterruption(say: (message: string) => void = (message) => console.error(message)) {
  const abort = new AbortController()
  let acknowledgedAt = 0
  const onSignal = (name: NodeJS.Signals) => {
    if (!abort.signal.aborted) {
      abort.abort(name)
      acknowledgedAt = Date.now()
      say(`${name}: stopping, the rollbacks run now and the record is written (interrupt again to leave at once)`)
      return
    }
    if (Date.now() - acknowledgedAt < SAME_INTERRUPTION_MS) return
    say(`${name} again: leaving without waiting for the rollbacks (the faults clear by their TTL)`)
    process.exit(128 + (constants.signals[name] ?? 2))
  }
  const ignore = () => {}
  const onHangUp = () => {
    // With its terminal gone, a write to it fails: the run goes on to its rollbacks and its record.
    for (const stream of [process.stdout, process.stderr]) stream.on('error', ignore)
  }
  for (const name of SIGNALS) process.on(name, onSignal)
  process.once('SIGHUP', onHangUp)
  return {
    signal: abort.signal,
    dispose: () => {
      for (const name of SIGNALS) process.off(name, onSignal)
      process.off('SIGHUP', onHangUp)
    },
  } satisfies Interruption
}
