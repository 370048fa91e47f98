/**
 * No false page (docs/alerts.md#coverage): the shop load, healthy, for a given time; every alert that
 * fired meanwhile, from the run's journal.
 */
import { readExperiment } from '../experiment/load-file.ts'
import { runExperiment } from '../experiment/run.ts'
import type { AlertChange } from '../fleet/alerts.ts'

export interface QuietOptions {
  env: Record<string, string | undefined>
  serviceToken: string
  durationS: number
  concurrency: number
  onEvent?: (message: string) => void
  signal?: AbortSignal
}

export interface QuietResult {
  /** The run's status: completed, or why it was not. */
  status: string
  /** Each alert that fired while the load ran, at its first firing (seconds from the run's start). */
  fired: AlertChange[]
  /** Alerts that went pending and never fired: near misses, not failures. */
  pending: string[]
  requests: number
}

export async function measureQuiet(options: QuietOptions): Promise<QuietResult> {
  const experiment = {
    title: `alerts quiet: ${options.durationS} s of healthy shopping`,
    method: [
      {
        type: 'action',
        name: 'the shop',
        provider: {
          type: 'fleet',
          action: 'load',
          profile: 'shop',
          duration_s: options.durationS,
          concurrency: options.concurrency,
        },
      },
    ],
  }
  const journal = await runExperiment(readExperiment(JSON.stringify(experiment), 'quiet.json', options.env), {
    scale: 1,
    hypothesisFrequencyS: 5,
    serviceToken: options.serviceToken,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  })
  const firstOf = new Map<string, AlertChange>()
  for (const change of journal.alerts)
    if (change.state === 'firing' && !firstOf.has(change.alert)) firstOf.set(change.alert, change)
  const pending = [
    ...new Set(journal.alerts.filter((change) => change.state === 'pending').map((change) => change.alert)),
  ].filter((alert) => !firstOf.has(alert))
  const requests = journal.phases.reduce((sum, phase) => sum + (phase.requests ?? 0), 0)
  return { status: journal.status, fired: [...firstOf.values()], pending, requests }
}
