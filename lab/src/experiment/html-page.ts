/**
 * What the HTML reports share: uPlot inlined (a report is one file that opens offline), escaping,
 * shading. See docs/experiments.md.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
export const UPLOT_JS = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8')
export const UPLOT_CSS = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8')

export const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char,
  )

/** Data for a page's scripts, in a JSON script element: '<' is escaped, so it cannot close the element. */
export const embedJson = (data: unknown) => JSON.stringify(data).replace(/</g, '\\u003c')

/** Browser code: a uPlot plugin shading [from, to] windows of the x axis (the faults in force). */
export const SHADE_WINDOWS = `
const shadeWindows = (windows, fill = 'rgba(220, 38, 38, 0.12)') => ({
  hooks: { drawClear: [(u) => {
    const ctx = u.ctx
    ctx.save()
    ctx.fillStyle = fill
    for (const [from, to] of windows) {
      const x0 = u.valToPos(from, 'x', true), x1 = u.valToPos(to, 'x', true)
      ctx.fillRect(x0, u.bbox.top, Math.max(x1 - x0, 1), u.bbox.height)
    }
    ctx.restore()
  }] },
})`
