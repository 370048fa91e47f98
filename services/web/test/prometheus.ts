import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePorts, startChild } from '@food/testing'

/**
 * A real Prometheus (Debian's) on a free port of the test's own, evaluating `rules` (a rule file's
 * YAML) every second; it scrapes nothing unless given `scrape` targets (every second, as npm start's
 * jobs name them, with exemplars kept as npm start's Prometheus keeps them). Never npm start's on 9090.
 */
export async function startPrometheus(rules: string, scrape: { job: string; target: string }[] = []) {
  const [port] = await freePorts(1)
  const dir = await mkdtemp(join(tmpdir(), 'web-prometheus-'))
  await writeFile(join(dir, 'rules.yml'), rules)
  const jobs = scrape.map(
    ({ job, target }) => `  - job_name: ${job}\n    static_configs:\n      - targets: ["${target}"]\n`,
  )
  await writeFile(
    join(dir, 'prometheus.yml'),
    `global: { scrape_interval: 1s, evaluation_interval: 1s }\nrule_files: ["${join(dir, 'rules.yml')}"]\n${
      jobs.length > 0 ? `scrape_configs:\n${jobs.join('')}` : ''
    }`,
  )
  const url = `http://127.0.0.1:${port}`
  const child = await startChild(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--enable-feature=exemplar-storage',
    ],
    { readyUrl: `${url}/-/ready` },
  )
  return {
    url,
    /** Each alerting rule's expression as Prometheus prints it (GET /api/v1/rules), by `<name> <severity>`. */
    exprs: async (): Promise<Record<string, string>> => {
      const answer = (await (await fetch(`${url}/api/v1/rules?type=alert`)).json()) as {
        data: { groups: { rules: { name: string; query: string; labels: Record<string, string> }[] }[] }
      }
      const rules = answer.data.groups.flatMap((group) => group.rules)
      return Object.fromEntries(rules.map((rule) => [`${rule.name} ${rule.labels.severity}`, rule.query]))
    },
    stop: async () => {
      await child.stop()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
