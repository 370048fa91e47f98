/**
 * Builds the front end into one directory of static files: app/main.ts and what it imports
 * bundled and minified into app.js (no framework), beside index.html and style.css; the pages the
 * shop does not need (Traces, Service map, Charts) in chunks/, loaded when first opened, and uPlot
 * beside them. Prints the sizes, raw and gzipped. `tsx build.ts [outdir]`; the default is dist/.
 */
import { copyFile, mkdir, readdir, readFile, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'
import { STATIC_DIR } from './src/static-dir.ts'

const HERE = fileURLToPath(new URL('.', import.meta.url))
const STATIC_FILES = ['index.html', 'style.css']
/** uPlot, which the Charts page loads when it opens (app/uplot.ts): beside app.js, not in it. */
const UPLOT_FILES = ['uPlot.iife.min.js', 'uPlot.min.css']

/** uPlot's files, when uplot is installed (the gateway's image builds the page with esbuild alone: no charts there). */
function uplotFiles(): string[] {
  try {
    const dir = join(createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js'), '..')
    return UPLOT_FILES.map((file) => join(dir, file))
  } catch {
    return []
  }
}

export interface BuiltFile {
  file: string
  bytes: number
  gzipBytes: number
}

export async function buildWeb(outdir = STATIC_DIR): Promise<BuiltFile[]> {
  await rm(outdir, { recursive: true, force: true })
  await mkdir(outdir, { recursive: true })
  await build({
    entryPoints: { app: join(HERE, 'app/main.ts') },
    outdir,
    // The pages main.ts imports when opened are chunks of their own: the shop loads none of them.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    legalComments: 'none',
    logLevel: 'warning',
  })
  for (const file of STATIC_FILES) await copyFile(join(HERE, 'app', file), join(outdir, file))
  const uplot = uplotFiles()
  for (const path of uplot) await copyFile(path, join(outdir, basename(path)))
  const chunks = (await readdir(join(outdir, 'chunks'))).map((file) => `chunks/${file}`)
  return Promise.all(
    ['app.js', ...STATIC_FILES, ...chunks, ...(uplot.length > 0 ? UPLOT_FILES : [])].map(async (file) => {
      const content = await readFile(join(outdir, file))
      return { file, bytes: content.length, gzipBytes: gzipSync(content).length }
    }),
  )
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = await buildWeb(process.argv[2] ?? STATIC_DIR)
  for (const { file, bytes, gzipBytes } of files) console.log(`${file.padEnd(28)} ${bytes} bytes, ${gzipBytes} gzipped`)
}
