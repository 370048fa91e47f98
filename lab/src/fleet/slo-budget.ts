/**
 * How much of each SLO's error budget a run burned (docs/alerts.md#in-experiments): the SLI's error
 * ratio over the run, from Prometheus, times the run's share of the SLO's period, over the budget.
 * The period is the one the loaded rules say (`slo:time_period:days`), compressed or not.
 */
import { readdir, readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { readSlothSpec, type SloSpec, sliExpr } from '@food/slo'
import { request } from 'undici'

/** The SLO files the rules are generated from. */
const SLO_DIR = fileURLToPath(new URL('../../../infra/slo/', import.meta.url))

export interface BudgetBurn {
  /** Sloth's id: `<service>-<slo>`. */
  slo: string
  objective: number
  /** The share of the SLI's events that failed over the run; null when it had none. */
  error_ratio: number | null
  /** The share of the period's error budget the run burned (1: all of it); null without events. */
  budget_burned: number | null
}

async function instant(prometheusUrl: string, query: string, atS: number): Promise<number | undefined> {
  const url = `${prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}&time=${atS}`
  const answer = await request(url, { headersTimeout: 3000, bodyTimeout: 3000 })
  if (answer.statusCode !== 200) {
    await answer.body.dump()
    throw new Error(`Prometheus answered ${answer.statusCode} to ${query}`)
  }
  const body = (await answer.body.json()) as { data: { result: { value: [number, string] }[] } }
  const value = body.data.result[0]?.value[1]
  return value === undefined ? undefined : Number(value)
}

async function readSlos(): Promise<{ id: string; slo: SloSpec }[]> {
  const files = (await readdir(SLO_DIR)).filter((file) => /\.ya?ml$/.test(file)).sort()
  const specs = await Promise.all(
    files.map(async (file) => readSlothSpec(await readFile(`${SLO_DIR}${file}`, 'utf8'), file)),
  )
  return specs.flatMap((spec) => spec.slos.map((slo) => ({ id: `${spec.service}-${slo.name}`, slo })))
}

/**
 * Each SLO the running Prometheus has loaded, over [fromMs, toMs]; undefined when no Prometheus
 * answers. (The ratio is Prometheus' rates over the run: events just before its end may be missing.)
 */
export async function budgetsBurned(
  prometheusUrl: string,
  fromMs: number,
  toMs: number,
): Promise<BudgetBurn[] | undefined> {
  const seconds = Math.max(1, Math.round((toMs - fromMs) / 1000))
  const atS = toMs / 1000
  try {
    const burns: BudgetBurn[] = []
    for (const { id, slo } of await readSlos()) {
      const days = await instant(prometheusUrl, `slo:time_period:days{sloth_id="${id}"}`, atS)
      if (days === undefined) continue
      const ratio = await instant(prometheusUrl, sliExpr(slo, `${seconds}s`), atS)
      const budget = 1 - slo.objective / 100
      const burned = ratio === undefined ? null : (ratio * seconds) / (days * 86_400) / budget
      burns.push({
        slo: id,
        objective: slo.objective,
        error_ratio: ratio === undefined ? null : round(ratio),
        budget_burned: burned === null ? null : round(burned),
      })
    }
    return burns
  } catch {
    return undefined
  }
}

const round = (value: number) => Math.round(value * 10_000) / 10_000
