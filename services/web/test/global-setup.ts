import { fileURLToPath } from 'node:url'
import { serviceGlobalSetup } from '@food/testing'

const migrationsOf = (service: string) => fileURLToPath(new URL(`../../${service}/prisma/migrations`, import.meta.url))

export default serviceGlobalSetup({
  project: 'web',
  migrations: { order: migrationsOf('order'), user: migrationsOf('user'), restaurant: migrationsOf('restaurant') },
})
