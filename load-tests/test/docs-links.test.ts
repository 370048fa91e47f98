/**
 * The README and the pages of docs/: the README stays short, reaches every page, and every
 * relative link of each (files, folders, images and `#anchors`) leads somewhere that exists.
 * Links to other sites are not followed: these machines reach none.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const DOCS = join(ROOT, 'docs')
const PAGES = [join(ROOT, 'README.md'), ...readdirSync(DOCS).map((name) => join(DOCS, name))].filter((path) =>
  path.endsWith('.md'),
)

/** A page's text outside its code blocks and inline code, where links and headings live. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '')
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-')
}

function anchorsOf(path: string): Set<string> {
  const headings = prose(readFileSync(path, 'utf8')).matchAll(/^#{1,6} (.+)$/gm)
  return new Set([...headings].map((match) => anchorOf(match[1] as string)))
}

function linksOf(path: string): string[] {
  const text = prose(readFileSync(path, 'utf8'))
  return [...text.matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)].map((match) => match[1] as string)
}

describe('the README and docs/', () => {
  it('keeps the README at most 200 lines', () => {
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8').trimEnd().split('\n').length).toBeLessThanOrEqual(200)
  })

  it('links every page of docs/ from the README', () => {
    const linked = new Set(linksOf(join(ROOT, 'README.md')).map((target) => target.split('#')[0]))
    const pages = PAGES.filter((path) => path.startsWith(DOCS)).map((path) => relative(ROOT, path))
    expect(pages.filter((page) => !linked.has(page))).toEqual([])
  })

  it.each(PAGES.map((path) => relative(ROOT, path)))('%s: every relative link leads somewhere', (page) => {
    const path = join(ROOT, page)
    const broken = linksOf(path)
      .filter((target) => !/^[a-z]+:/.test(target))
      .filter((target) => {
        const [file, anchor] = target.split('#') as [string, string | undefined]
        const resolved = file === '' ? path : join(dirname(path), decodeURI(file))
        if (!existsSync(resolved)) return true
        if (anchor === undefined) return false
        return !(statSync(resolved).isFile() && anchorsOf(resolved).has(anchor))
      })
    expect(broken).toEqual([])
  })

  it('reads anchors as GitHub makes them', () => {
    expect(anchorOf('Back to fresh data')).toBe('back-to-fresh-data')
    expect(anchorOf('Network faults: the fault proxy')).toBe('network-faults-the-fault-proxy')
    expect(anchorOf('The k6 scripts, with k6 and in CI')).toBe('the-k6-scripts-with-k6-and-in-ci')
  })
})
