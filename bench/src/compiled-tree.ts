/** The JavaScript the images run, compiled outside the source tree for `npm run bench` (docs/performance.md). */
import { execFile } from 'node:child_process'
import { cp, mkdir, readdir, rm, symlink } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** The files of the workspace a service runs on, and what the build compiles. */
const SOURCES = ['packages', 'services', 'package.json', 'tsconfig.base.json', 'tsconfig.build.json']

/**
 * The JavaScript the images run, built outside the source tree: the workspace's files (those git
 * tracks or would, with each package's node_modules of links) copied to `.fleet/compiled`, the
 * root node_modules linked, then `tsc -p tsconfig.build.json` compiles it in place as the
 * Dockerfile does. Returns the tree's root; its `services/<name>` runs with `spawnService`'s
 * `compiled` entry.
 */
export async function buildCompiledTree(repoRoot: string): Promise<string> {
  const repoPath = (path: string) => join(repoRoot, path)
  const root = repoPath('.fleet/compiled')
  await rm(root, { recursive: true, force: true })
  await mkdir(root, { recursive: true })
  const { stdout } = await run('git', ['ls-files', '--cached', '--others', '--exclude-standard', ...SOURCES], {
    cwd: repoPath(''),
    maxBuffer: 64 * 1024 * 1024,
  })
  // Tests stay behind: the tree is for running services.
  const files = stdout.split('\n').filter((file) => file && !file.includes('/test/'))
  // The Prisma clients are generated, hence ignored by git, and the seeds import them.
  for (const service of ['user', 'restaurant']) files.push(`services/${service}/src/db/generated`)
  for (const folder of ['packages', 'services']) {
    for (const name of await readdir(repoPath(folder))) files.push(`${folder}/${name}/node_modules`)
  }
  for (const file of files) {
    await cp(repoPath(file), join(root, file), { recursive: true, verbatimSymlinks: true, force: true }).catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error // a package without node_modules, a deleted file
      },
    )
  }
  await symlink(repoPath('node_modules'), join(root, 'node_modules'))
  await run(repoPath('node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json'], { cwd: root })
  return root
}
