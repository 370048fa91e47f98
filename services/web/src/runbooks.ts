import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'

/** The runbooks every rule's runbook_url points into (`docs/alerts.md#<heading>`). */
export const ALERTS_DOC = fileURLToPath(new URL('../../../docs/alerts.md', import.meta.url))
const RUNBOOK_URL = /^docs\/alerts\.md#(.+)$/

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
export const anchorOf = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-')

/** Each `### Heading` section of the page by its anchor, as paragraphs of plain text (blank-line separated). */
export function runbooksIn(markdown: string): Map<string, string> {
  const runbooks = new Map<string, string>()
  let anchor: string | undefined
  let lines: string[] = []
  const end = () => {
    if (!anchor) return
    const paragraphs = lines.join('\n').split(/\n\s*\n/)
    const text = paragraphs.map((paragraph) => paragraph.replace(/\s*\n\s*/g, ' ').trim()).filter(Boolean)
    runbooks.set(anchor, text.join('\n\n'))
  }
  let inCode = false
  for (const line of markdown.split('\n')) {
    // A `# comment` in a code block is no heading.
    if (line.startsWith('```')) inCode = !inCode
    const heading = inCode ? null : /^(#{1,6})\s+(.*)$/.exec(line)
    if (!heading) {
      lines.push(line)
      continue
    }
    end()
    anchor = heading[1] === '###' ? anchorOf(heading[2] ?? '') : undefined
    lines = []
  }
  end()
  return runbooks
}

/**
 * What finds a runbook's text from a rule's runbook_url; the web server serves no docs, so the
 * console shows the runbook itself. Without the page (an image without docs/), none is found.
 */
export async function loadRunbooks(path = ALERTS_DOC): Promise<(runbookUrl: string) => string | null> {
  const runbooks = runbooksIn(await readFile(path, 'utf8').catch(() => ''))
  return (runbookUrl) => {
    const anchor = RUNBOOK_URL.exec(runbookUrl)?.[1]
    return (anchor && runbooks.get(anchor)) || null
  }
}
