import { readdir, readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { InvalidExperiment, readExperiment } from '../../src/experiment/load-file.ts'
import { SCHEMA_FILE, schemaText } from '../../src/experiment/schema-file.ts'

const EXPERIMENTS = new URL('../../../load-tests/experiments/', import.meta.url)

const problemsOf = (text: string, file = 'bad.json', env: NodeJS.ProcessEnv = {}) => {
  try {
    readExperiment(text, file, env)
  } catch (error) {
    if (error instanceof InvalidExperiment) return error.problems
    throw error
  }
  return []
}

const minimal = {
  title: 'payments fail',
  method: [
    {
      type: 'action',
      name: 'fail payments',
      provider: { type: 'fleet', action: 'fault', service: 'order', fault: 'payment_fail', value: 30 },
    },
  ],
}

describe('reading an experiment file', () => {
  it('every file in load-tests/experiments/ is valid', async () => {
    const files = (await readdir(EXPERIMENTS)).filter(
      (file) => /\.(json|ya?ml)$/.test(file) && !['schema.json', 'kustomization.yaml'].includes(file),
    )
    expect(files.length).toBeGreaterThan(0)
    for (const file of files) {
      expect(problemsOf(await readFile(new URL(file, EXPERIMENTS), 'utf8'), file), file).toEqual([])
    }
  })

  it('publishes the schema the runner validates with', async () => {
    // (The committed file is formatted by biome; its content is the format's.)
    expect(JSON.parse(await readFile(SCHEMA_FILE, 'utf8'))).toEqual(JSON.parse(schemaText()))
  })

  it('keeps the schema’s old path (load-tests/experiments/schema.json) working: it refers to the published one', async () => {
    const old = JSON.parse(await readFile(new URL('schema.json', EXPERIMENTS), 'utf8'))
    expect(fileURLToPath(new URL(old.$ref, new URL('schema.json', EXPERIMENTS)))).toBe(SCHEMA_FILE)
    for (const file of (await readdir(EXPERIMENTS)).filter(
      (name) => name.endsWith('.json') && name !== 'schema.json',
    )) {
      const { $schema } = JSON.parse(await readFile(new URL(file, EXPERIMENTS), 'utf8'))
      expect(fileURLToPath(new URL($schema, EXPERIMENTS)), file).toBe(SCHEMA_FILE)
    }
  })

  it('lists every problem with its path, each as the member of a union it means to be', () => {
    const problems = problemsOf(
      JSON.stringify({
        title: '',
        tagz: ['typo'],
        'steady-state-hypothesis': {
          title: 'steady',
          probes: [
            { type: 'probe', name: 'no tolerance', provider: { type: 'http', url: 'http://127.0.0.1:8003/health' } },
          ],
        },
        method: [
          {
            type: 'action',
            name: 'fault',
            provider: { type: 'fleet', action: 'fault', service: 'kitchen', fault: 'x', value: 'lots' },
          },
          {
            type: 'action',
            name: 'load',
            provider: { type: 'fleet', action: 'load', profile: 'stampede', duration_s: 10, concurrency: 0 },
          },
          { type: 'probe', name: 'query', provider: { type: 'promql', query: 'up' } },
          { type: 'action', name: 'wait', pauses: { before: -1 }, provider: { type: 'fleet', action: 'clear-faults' } },
        ],
      }),
    )
    const paths = problems.map((problem) => problem.path)
    expect(paths).toEqual(
      expect.arrayContaining([
        '/title',
        '/tagz',
        '/steady-state-hypothesis/probes/0/tolerance',
        '/method/0/provider/service',
        '/method/0/provider/value',
        '/method/1/provider/profile',
        '/method/1/provider/concurrency',
        '/method/2/provider/type',
        '/method/3/pauses/before',
      ]),
    )
    expect(problems.find((problem) => problem.path === '/method/2/provider/type')?.message).toBe(
      '`promql` is not a provider type: http, prometheus, alert, invariants',
    )
  })

  it('names each bad value with the valid ones and the closest, and each branch of a union by its type and action', () => {
    const action = (provider: object) => ({ type: 'action', name: 'a', provider: { type: 'fleet', ...provider } })
    const problems = problemsOf(
      JSON.stringify({
        title: 't',
        tagz: [],
        method: [
          action({ action: 'fault', service: 'ordr', fault: 'payment_fail', value: 30 }),
          action({ action: 'faultt', service: 'order', fault: 'payment_fail', value: 30 }),
          action({ action: 'toxic', edge: 'order-restaurant', toxic: 'latency', attributes: { latencyy: 800 } }),
          action({ action: 'fault', service: 'order', fault: 'payment_fail', value: -1 }),
          { type: 'acton', name: 'b', provider: { type: 'fleet', action: 'clear-faults' } },
          action({ action: 'kill', service: 'order', signal: 'SIGKIL' }),
          action({}),
        ],
        rollbacks: [{ type: 'action', name: 'r', provider: 'clear' }],
      }),
    )
    expect(problems).toEqual([
      {
        path: '/tagz',
        message: expect.stringMatching(/^unknown property `tagz` \(.*\) — did you mean `tags`\?$/),
      },
      {
        path: '/method/0/provider/service',
        message: '`ordr` is not a service: user, restaurant, order — did you mean `order`?',
      },
      {
        path: '/method/1/provider/action',
        message:
          '`faultt` is not a fleet action: fault, toxic, edge-down, kill, pause, restart, redis-pause, hold-lock, terminate-sessions, clear-faults, load — did you mean `fault`?',
      },
      { path: '/method/3/provider/value', message: 'Expected number to be greater or equal to 0' },
      { path: '/method/4/type', message: '`acton` is not an activity type: action, probe — did you mean `action`?' },
      {
        path: '/method/5/provider/signal',
        message: '`SIGKIL` is not a signal: SIGKILL, SIGTERM, SIGINT, SIGHUP, SIGQUIT — did you mean `SIGKILL`?',
      },
      {
        path: '/method/6/provider/action',
        message:
          'required: fault, toxic, edge-down, kill, pause, restart, redis-pause, hold-lock, terminate-sessions, clear-faults, load',
      },
      { path: '/rollbacks/0/provider', message: 'expected an object with a type (http, fleet)' },
      // The meaning of the activities whose shape is right, in the same reading.
      {
        path: '/method/2/provider/attributes/latencyy',
        message: 'latency has no attribute "latencyy" (it has latency, jitter) — did you mean `latency`?',
      },
    ])
  })

  it('says no more than the valid values when none is close', () => {
    expect(
      problemsOf(
        JSON.stringify({
          ...minimal,
          method: [{ ...minimal.method[0], provider: { ...minimal.method[0]?.provider, service: 'kitchen' } }],
        }),
      ),
    ).toEqual([{ path: '/method/0/provider/service', message: '`kitchen` is not a service: user, restaurant, order' }])
  })

  it('checks the meaning once the shape is right: queries, ${names}, the environment, invariants without a load', () => {
    const problems = problemsOf(
      JSON.stringify({
        title: 'meaning',
        configuration: { token: { type: 'env', key: 'NO_SUCH_VARIABLE' } },
        'steady-state-hypothesis': {
          title: 'steady',
          probes: [
            {
              type: 'probe',
              name: 'p95',
              tolerance: { type: 'range', range: [0, 1] },
              provider: { type: 'prometheus', query: 'rate(x)' },
            },
            { type: 'probe', name: 'stock', tolerance: true, provider: { type: 'invariants' } },
          ],
        },
        method: [{ type: 'probe', name: 'ready', provider: { type: 'http', url: '${nowhere_url}/health' } }],
      }),
    )
    expect(problems).toEqual([
      { path: '/configuration/token', message: 'the environment has no NO_SUCH_VARIABLE, and no default is given' },
      { path: '/method/0/provider/url', message: '${nowhere_url} is not in the configuration' },
      {
        path: '/steady-state-hypothesis/probes/0/provider/query',
        message: 'rate() at 1 takes one range selector, e.g. rate(x_total[1m])',
      },
      {
        path: '/steady-state-hypothesis/probes/1/provider',
        message: 'the invariants are those of a load: the method has no load action',
      },
    ])
  })

  it('resolves the configuration (the environment first, then the default) and substitutes ${names}, keeping types', () => {
    const { experiment, configuration } = readExperiment(
      JSON.stringify({
        ...minimal,
        configuration: {
          percent: { type: 'env', key: 'PERCENT', default: 10 },
          ready: '${order_url}/health/ready',
        },
        method: [
          { ...minimal.method[0], provider: { ...minimal.method[0]?.provider, value: '${percent}' } },
          { type: 'probe', name: 'ready', provider: { type: 'http', url: '${order_url}/health/ready' } },
        ],
      }),
      'x.json',
      { PERCENT: '40', ORDER_URL: 'http://127.0.0.1:9003' },
    )
    expect(configuration).toMatchObject({ percent: 40, order_url: 'http://127.0.0.1:9003' })
    expect(experiment.method[0]?.provider).toMatchObject({ value: 40 })
    expect(experiment.method[1]?.provider).toEqual({ type: 'http', url: 'http://127.0.0.1:9003/health/ready' })
    // Without a default to say its type, text from the environment stays text: said, not run.
    expect(
      problemsOf(
        JSON.stringify({
          ...minimal,
          configuration: { p: { type: 'env', key: 'P' } },
          method: [{ ...minimal.method[0], provider: { ...minimal.method[0]?.provider, value: '${p}' } }],
        }),
        'x.json',
        { P: 'forty' },
      ).map((p) => p.path),
    ).toContain('/method/0/provider/value')
    const numeric = readExperiment(
      JSON.stringify({
        ...minimal,
        configuration: { p: 25 },
        method: [{ ...minimal.method[0], provider: { ...minimal.method[0]?.provider, value: '${p}' } }],
      }),
      'x.json',
      {},
    )
    expect(numeric.experiment.method[0]?.provider).toMatchObject({ value: 25 })
  })

  it('sends nothing beyond this machine: an http probe elsewhere, or the fleet’s URLs pointed elsewhere, is refused', () => {
    const elsewhere = JSON.stringify({
      title: 't',
      method: [{ type: 'probe', name: 'remote', provider: { type: 'http', url: 'http://example.com/health' } }],
    })
    expect(problemsOf(elsewhere, 'x.json', { ORDER_URL: 'http://10.0.0.5:8003' })).toEqual([
      { path: '/configuration/order_url', message: 'http://10.0.0.5:8003: only this machine (127.0.0.1, localhost)' },
      {
        path: '/method/0/provider/url',
        message: 'http://example.com/health: only this machine (127.0.0.1, localhost)',
      },
    ])
  })

  it('takes Pumba’s process verbs (kill, pause, restart) with their parameters checked, and an engine on this machine only', () => {
    const verbs = (...providers: object[]) =>
      JSON.stringify({
        title: 't',
        method: providers.map((provider, i) => ({
          type: 'action',
          name: `a${i}`,
          provider: { type: 'fleet', ...provider },
        })),
      })
    expect(
      problemsOf(
        verbs(
          { action: 'kill', service: 'order' },
          { action: 'kill', service: 'order', signal: 'SIGTERM' },
          { action: 'pause', service: 'restaurant', duration_s: 5 },
          { action: 'restart', service: 'user', timeout_s: 0 },
        ),
        'x.json',
        { FLEET_ENGINE_URL: 'unix:///var/run/docker.sock' },
      ),
    ).toEqual([])
    const problems = problemsOf(
      verbs(
        { action: 'kill', service: 'order', signal: 'SIGSTOP' },
        { action: 'pause', service: 'order' },
        { action: 'pause', service: 'order', duration_s: 601 },
        { action: 'restart', service: 'proxy' },
      ),
      'x.json',
      { FLEET_ENGINE_URL: 'http://10.0.0.5:2375' },
    )
    expect(problems.map((problem) => problem.path)).toEqual([
      '/method/0/provider/signal',
      '/method/1/provider/duration_s',
      '/method/2/provider/duration_s',
      '/method/3/provider/service',
      // Every problem in one reading: the engine's address too.
      '/configuration/engine_url',
    ])
    expect(
      problemsOf(verbs({ action: 'kill', service: 'order' }), 'x.json', { FLEET_ENGINE_URL: 'http://10.0.0.5:2375' }),
    ).toEqual([
      { path: '/configuration/engine_url', message: 'http://10.0.0.5:2375: only this machine (127.0.0.1, localhost)' },
    ])
  })

  it('refuses an environment value that is not of its default’s type', () => {
    const withPercent = JSON.stringify({ ...minimal, configuration: { p: { type: 'env', key: 'P', default: 10 } } })
    expect(problemsOf(withPercent, 'x.json', { P: 'lots' })).toEqual([
      { path: '/configuration/p', message: 'P="lots" is not a number, as its default is' },
    ])
  })

  it('reads YAML as well as JSON, and says which when it cannot', () => {
    expect(
      readExperiment(
        'title: t\nmethod:\n  - {type: action, name: clear, provider: {type: fleet, action: clear-faults}}\n',
        'x.yaml',
      ).experiment.title,
    ).toBe('t')
    expect(problemsOf('{"title": ', 'x.json')[0]?.message).toMatch(/^not JSON: /)
    expect(problemsOf('title: [', 'x.yml')[0]?.message).toMatch(/^not YAML: /)
  })
})
