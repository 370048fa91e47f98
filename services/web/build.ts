/**
 * Builds the front end into one directory of static files: app/main.ts and what it imports
 * bundled and minified into app.js (no framework), beside index.html and style.css. Prints the
 * sizes, raw and gzipped. `tsx build.ts [outdir]`; the default is dist/.
 */
import { copyFile, mkdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'
import { STATIC_DIR } from './src/static-dir.ts'

const HERE = fileURLToPath(new URL('.', import.meta.url))
const STATIC_FILES = ['index.html', 'style.css']

export interface BuiltFile {
  file: string
  bytes: number
  gzipBytes: number
}

export async function buildWeb(outdir = STATIC_DIR): Promise<BuiltFile[]> {
  await rm(outdir, { recursive: true, force: true })
  await mkdir(outdir, { recursive: true })
  await build({
    entryPoints: [join(HERE, 'app/main.ts')],
    outfile: join(outdir, 'app.js'),
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    legalComments: 'none',
    logLevel: 'warning',
  })
  for (const file of STATIC_FILES) await copyFile(join(HERE, 'app', file), join(outdir, file))
  return Promise.all(
    ['app.js', ...STATIC_FILES].map(async (file) => {
      const content = await readFile(join(outdir, file))
      return { file, bytes: content.length, gzipBytes: gzipSync(content).length }
    }),
  )
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = await buildWeb(process.argv[2] ?? STATIC_DIR)
  for (const { file, bytes, gzipBytes } of files) console.log(`${file.padEnd(11)} ${bytes} bytes, ${gzipBytes} gzipped`)
}
