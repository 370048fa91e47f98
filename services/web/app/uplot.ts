// uPlot (the charts' library, as the lab's reports use it), loaded when the Charts page first opens:
// its script and style sit beside app.js (build.ts copies them), out of the shop's bundle.
import type uPlot from 'uplot'

export type UPlot = typeof uPlot

let loading: Promise<UPlot> | undefined

export function loadUPlot(): Promise<UPlot> {
  loading ??= new Promise<UPlot>((resolve, reject) => {
    const style = document.createElement('link')
    style.rel = 'stylesheet'
    style.href = 'uPlot.min.css'
    document.head.append(style)
    const script = document.createElement('script')
    script.src = 'uPlot.iife.min.js'
    script.onload = () => {
      const loaded = (window as unknown as { uPlot?: UPlot }).uPlot
      if (loaded) resolve(loaded)
      else reject(new Error('uPlot.iife.min.js did not define uPlot'))
    }
    script.onerror = () => {
      loading = undefined
      reject(new Error('uPlot.iife.min.js could not be loaded'))
    }
    document.head.append(script)
  })
  return loading
}
