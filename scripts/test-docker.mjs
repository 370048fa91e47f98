// `npm run test:docker`: what needs a Docker engine. The three service images are built from the
// Dockerfile and the application stack of docker-compose.yml is run and used through its gateway
// (infra/docker-test); then the services' integration tests run once more, on throwaway
// PostgreSQL and Redis containers (testcontainers) instead of the local servers.
import { spawnSync } from 'node:child_process'
import { ensurePnpm, installDependencies, run, SERVICES, say } from './lib.mjs'

const testContainers = () =>
  spawnSync('docker', ['ps', '-aq', '--filter', 'label=org.testcontainers=true'], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean)

async function main() {
  const engine = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8' })
  if (engine.status !== 0) {
    const why = engine.error ? engine.error.message : (engine.stderr || engine.stdout).trim()
    throw new Error(
      `no Docker engine answers (${why}).\n  Start one first: Docker Desktop, \`sudo systemctl start docker\`, ` +
        'or on the project machines `bash ../shared/docker/engine.sh`.',
    )
  }
  const pnpm = ensurePnpm()
  await installDependencies(pnpm)
  say(`images and the application stack on Docker ${engine.stdout.trim()}`)
  run(pnpm, ['--filter', './infra', 'exec', 'vitest', 'run', '--config', 'vitest.docker.config.ts'])
  say('the services’ integration tests on throwaway containers (testcontainers)')
  const before = new Set(testContainers())
  // One service at a time: each starts its own containers, and the three suites at once, beside
  // Docker's port proxies, would crowd a 2-core machine.
  for (const { name: project } of SERVICES) {
    run(pnpm, ['exec', 'vitest', 'run', '--project', project], {
      env: { ...process.env, TEST_INFRASTRUCTURE: 'containers' },
    })
  }
  const leaked = testContainers().filter((id) => !before.has(id))
  if (leaked.length > 0) throw new Error(`test containers left behind: ${leaked.join(' ')}`)
}

main().catch((error) => {
  console.error(`docker tests failed: ${error.message}`)
  process.exit(1)
})
