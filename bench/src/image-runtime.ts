/**
 * How the images run node (NODE_OPTIONS, CMD's arguments), read from the Dockerfile so that the bench
 * runs the services as the images do (docs/performance.md).
 */
import { readFile } from 'node:fs/promises'

export interface ImageRuntime {
  /** The Dockerfile's `ENV … NODE_OPTIONS="…"`. */
  nodeOptions: string
  /** What its `CMD ["node", …]` passes node: V8's flags (which NODE_OPTIONS may not carry), the entry. */
  nodeArguments: string[]
}

/** The runtime a Dockerfile gives its service: `NODE_OPTIONS` and the arguments of `CMD`. */
export function parseImageRuntime(dockerfile: string): ImageRuntime {
  const nodeOptions = /NODE_OPTIONS="([^"]*)"/.exec(dockerfile)?.[1]
  const command = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1]
  const argv: unknown = command === undefined ? undefined : JSON.parse(command)
  if (nodeOptions === undefined) throw new Error('the Dockerfile sets no NODE_OPTIONS="…"')
  if (!Array.isArray(argv) || argv[0] !== 'node' || argv.length < 2) {
    throw new Error('the Dockerfile\'s CMD is not ["node", …arguments]')
  }
  return { nodeOptions, nodeArguments: argv.slice(1).map(String) }
}

let imageRuntimeRead: Promise<ImageRuntime> | undefined

/** How the images run node, read from the Dockerfile: one definition for the images and the bench. */
export function imageRuntime(): Promise<ImageRuntime> {
  imageRuntimeRead ??= readFile(new URL('../../Dockerfile', import.meta.url), 'utf8').then(parseImageRuntime)
  return imageRuntimeRead
}
