// A VU thread's entry: TypeScript support (tsx) for the runtime's modules, then the VU itself.
import { register } from 'tsx/esm/api'

register()
await import('./vu-worker.ts')
