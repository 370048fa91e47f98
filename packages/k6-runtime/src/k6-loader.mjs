// Module hook of a VU: the k6 modules a script imports are this runtime's (modules/).
// See docs/load-testing.md#the-k6-scripts-with-k6-and-in-ci.
const MODULES = {
  k6: 'k6.ts',
  'k6/http': 'http.ts',
  'k6/metrics': 'metrics.ts',
  'k6/execution': 'execution.ts',
  'k6/data': 'data.ts',
}

export async function resolve(specifier, context, next) {
  const file = MODULES[specifier]
  // Resolved by the next hooks (tsx's) as the file it is, so they load its TypeScript.
  if (file) return next(new URL(`./modules/${file}`, import.meta.url).href, context)
  if (specifier.startsWith('k6/')) throw new Error(`${specifier}: a k6 module this runtime does not have`)
  return next(specifier, context)
}

let script

export function initialize(data) {
  script = data?.script
}

// A k6 script is an ES module wherever it lies (k6 reads no package.json).
export async function load(url, context, next) {
  return next(url, url === script ? { ...context, format: 'module' } : context)
}
