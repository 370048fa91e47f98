import { fileURLToPath } from 'node:url'
import { serviceGlobalSetup } from '@food/testing'

export default serviceGlobalSetup({
  project: 'user',
  migrations: { user: fileURLToPath(new URL('../prisma/migrations', import.meta.url)) },
})
