/**
 * npm start's install (#36): pnpm 9 closes a first install with "The following dependencies have
 * build scripts that were ignored: cpu-features, ssh2 … add their names to onlyBuiltDependencies",
 * which reads like a problem to fix; the project skips those builds on purpose
 * (pnpm.neverBuiltDependencies), so the launcher's install does not pass the note on. Run for real:
 * scripts/lib.mjs's install, with the pinned pnpm, in a scratch copy of the workspace's manifests.
 */
import { spawnSync } from 'node:child_process'
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ROOT } from '@food/testing/run-cli'
import { afterAll, describe, expect, it } from 'vitest'

const scratch = await mkdtemp(join(tmpdir(), 'fleet-install-'))
afterAll(() => rm(scratch, { recursive: true, force: true }))

/** What pnpm install reads: the root's files and every workspace package's manifest. */
async function copyManifests() {
  for (const file of [
    'package.json',
    'pnpm-lock.yaml',
    'pnpm-workspace.yaml',
    '.npmrc',
    '.pnpmfile.cjs',
    'scripts/lib.mjs',
  ]) {
    await cp(join(ROOT, file), join(scratch, file))
  }
  for (const parent of ['packages', 'services']) {
    for (const name of await readdir(join(ROOT, parent))) {
      await cp(join(ROOT, parent, name, 'package.json'), join(scratch, parent, name, 'package.json'))
    }
  }
  for (const name of ['lab', 'bench', 'load-tests', 'infra', 'nginx']) {
    await cp(join(ROOT, name, 'package.json'), join(scratch, name, 'package.json'))
  }
}

describe('npm start’s install', () => {
  it('installs everything, builds neither ssh2 nor cpu-features, and says nothing of the builds it skips on purpose', async () => {
    await copyManifests()
    // The checkout's pinned pnpm (installed by then), not a second copy in the scratch directory.
    const { ensurePnpm } = await import(pathToFileURL(join(ROOT, 'scripts/lib.mjs')).href)
    const lib = pathToFileURL(join(scratch, 'scripts/lib.mjs')).href
    const install = `import(${JSON.stringify(lib)}).then((lib) => lib.installDependencies(${JSON.stringify(ensurePnpm())}))`
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', install], {
      cwd: scratch,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH}` },
      timeout: 240_000,
    })
    const output = `${run.stdout}${run.stderr}`
    expect(run.status, output).toBe(0)
    expect(output).toContain('Packages: +')
    expect(output).not.toContain('build scripts that were ignored')
    expect(output).not.toContain('onlyBuiltDependencies')
    const store = await readdir(join(scratch, 'node_modules/.pnpm'))
    const cpuFeatures = store.find((name) => name.startsWith('cpu-features@'))
    expect(cpuFeatures).toBeDefined()
    // Not built: no compiled binding.
    expect(
      await readdir(join(scratch, 'node_modules/.pnpm', cpuFeatures as string, 'node_modules/cpu-features')),
    ).not.toContain('build')
  }, 300_000)
})
