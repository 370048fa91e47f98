import { fileURLToPath } from 'node:url'
import { serviceGlobalSetup } from '@food/testing'

export default serviceGlobalSetup({
  project: 'restaurant',
  migrations: { restaurant: fileURLToPath(new URL('../prisma/migrations', import.meta.url)) },
})
