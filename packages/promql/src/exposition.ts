/** One sample of Prometheus' text exposition format (or OpenMetrics'). */
export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g

/** The samples of a Prometheus or OpenMetrics text (comments and exemplars left out). */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = []
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    // An OpenMetrics exemplar follows ` # `; the sample is what comes before.
    const [sample = ''] = line.split(' # ')
    const match = SAMPLE.exec(sample)
    if (!match) continue
    const [, name = '', labelText = '', value = ''] = match
    const labels: Record<string, string> = {}
    for (const [, key = '', raw = ''] of labelText.matchAll(LABEL)) labels[key] = raw.replace(/\\(.)/g, '$1')
    samples.push({ name, labels, value: Number(value) })
  }
  return samples
}
