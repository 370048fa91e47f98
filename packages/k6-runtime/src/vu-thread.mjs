// A VU thread's entry: TypeScript support (tsx) for the runtime's modules, then the VU itself.
// See docs/load-testing.md#the-k6-scripts-with-k6-and-in-ci.
import { register } from 'tsx/esm/api'

register()
await import('./vu-worker.ts')
