export { type DocsPluginOptions, docsPlugin } from './docs-plugin.ts'
