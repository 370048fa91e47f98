#!/usr/bin/env node
// `#cli` resolves to the compiled CLI in the images (`--conditions=compiled`) and to its
// TypeScript in the workspace, which tsx (a development dependency) compiles on the fly.
const cli = import.meta.resolve('#cli')
if (cli.endsWith('.ts')) (await import('tsx/esm/api')).register()
await import(cli)
