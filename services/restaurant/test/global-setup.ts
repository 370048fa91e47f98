import { fileURLToPath } from 'node:url'
import { serviceGlobalSetup } from '@food/testing'

export default serviceGlobalSetup({
  service: 'restaurant',
  migrationsDir: fileURLToPath(new URL('../prisma/migrations', import.meta.url)),
})
