import { readFile } from 'node:fs/promises'

export interface ImageRuntime {
  /** The Dockerfile's `ENV … NODE_OPTIONS="…"`. */
  nodeOptions: string
  /** The node flags of its `CMD ["node", …, "--import", …]`: V8's, which NODE_OPTIONS may not carry. */
  nodeFlags: string[]
}

/** The runtime a Dockerfile gives its service: `NODE_OPTIONS` and the node flags of `CMD`. */
export function parseImageRuntime(dockerfile: string): ImageRuntime {
  const nodeOptions = /NODE_OPTIONS="([^"]*)"/.exec(dockerfile)?.[1]
  const command = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1]
  const argv: unknown = command === undefined ? undefined : JSON.parse(command)
  if (nodeOptions === undefined) throw new Error('the Dockerfile sets no NODE_OPTIONS="…"')
  if (!Array.isArray(argv) || argv[0] !== 'node' || !argv.includes('--import')) {
    throw new Error('the Dockerfile\'s CMD is not ["node", …flags, "--import", …]')
  }
  return { nodeOptions, nodeFlags: argv.slice(1, argv.indexOf('--import')).map(String) }
}

let imageRuntimeRead: Promise<ImageRuntime> | undefined

/** How the images run node, read from the Dockerfile: one definition for the images and the bench. */
export function imageRuntime(): Promise<ImageRuntime> {
  imageRuntimeRead ??= readFile(new URL('../../Dockerfile', import.meta.url), 'utf8').then(parseImageRuntime)
  return imageRuntimeRead
}
