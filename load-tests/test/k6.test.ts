import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

// Their shape; k6-scripts.test.ts runs them against the fleet with the k6-compatible runtime.
const K6 = fileURLToPath(new URL('../k6', import.meta.url))
const EXPERIMENTS = fileURLToPath(new URL('../experiments', import.meta.url))
// Beside them: kustomization.yaml, which makes them a ConfigMap for deploy/kubernetes/load.
const SCRIPTS = readdirSync(K6).filter((file) => file.endsWith('.js'))
// Imported by the scripts, not scripts themselves.
const SHARED = ['lib.js', 'chaos-plan.js']

describe('k6 scripts', () => {
  it('exist for every experiment file of load-tests/experiments', () => {
    const scripts = SCRIPTS.filter((file) => !SHARED.includes(file))
    const experiments = readdirSync(EXPERIMENTS).filter((file) => file.endsWith('.json') && file !== 'schema.json')
    expect(scripts.sort()).toEqual(experiments.map((file) => file.replace(/\.json$/, '.js')).sort())
  })

  it.each(SCRIPTS)(
    '%s is valid JavaScript; a script reads its experiment file and checks the invariants at teardown',
    (file) => {
      const check = spawnSync(process.execPath, ['--check', `${K6}/${file}`], { encoding: 'utf8' })
      expect(check.stderr).toBe('')
      expect(check.status).toBe(0)
      const source = readFileSync(`${K6}/${file}`, 'utf8')
      if (!SHARED.includes(file)) {
        expect(source).toMatch(/export const teardown = \(data\) => verify\(data/)
        expect(source).toMatch(/export const options = experimentOptions\(experiment/)
        // Its load and chaos plan: the experiment file of the same name, the one the runners read.
        expect(source).toContain(`JSON.parse(open('../experiments/${file.replace(/\.js$/, '.json')}'))`)
      }
    },
  )
})
