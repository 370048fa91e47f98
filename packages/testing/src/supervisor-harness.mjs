// The launcher's supervisor and its engine API over the programs a test names (SUPERVISED, JSON:
// [{name, command, args, cwd, env, ready}]), on a free loopback port printed as the first line.
// `ready`: a URL that answers 2xx once the program serves. SIGTERM stops the programs, then the harness.
import { spawn } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { createEngineApi } from '@food/supervisor/engine-api'
import { Supervisor } from '@food/supervisor/supervisor'

const programs = JSON.parse(process.env.SUPERVISED ?? '[]')

/** Polls `url` until it answers 2xx (or `signal` aborts). */
const answers = async (url, signal) => {
  const ok = () =>
    fetch(url, { signal }).then(
      (response) => response.ok,
      () => false,
    )
  while (!(await ok())) {
    signal.throwIfAborted()
    await sleep(50, undefined, { signal })
  }
}

const supervisor = new Supervisor({ log: (line) => console.error(line) })
for (const program of programs) {
  supervisor.add({
    name: program.name,
    start: () =>
      spawn(program.command, program.args, {
        cwd: program.cwd,
        env: { ...process.env, ...program.env },
        stdio: 'ignore',
      }),
    ...(program.ready ? { ready: (signal) => answers(program.ready, signal) } : {}),
  })
}
const engine = createEngineApi(supervisor, {
  refused: JSON.parse(process.env.SUPERVISED_REFUSED ?? '[]'),
  token: process.env.CHAOS_TOKEN,
})
engine.listen(0, '127.0.0.1', () => console.log(`http://127.0.0.1:${engine.address().port}`))
process.once('SIGTERM', async () => {
  engine.close()
  await supervisor.stopAll()
  process.exit(0)
})
