// The launcher's supervisor and its engine API over the programs a test names (SUPERVISED, JSON:
// [{name, command, args, cwd, env}]), on a free loopback port printed as the first line. SIGTERM
// stops the programs, then the harness.
import { spawn } from 'node:child_process'
import { createEngineApi } from '../../../scripts/engine-api.mjs'
import { Supervisor } from '../../../scripts/supervisor.mjs'

const programs = JSON.parse(process.env.SUPERVISED ?? '[]')
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
