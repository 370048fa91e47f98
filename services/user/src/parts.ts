/** What the bench's same-work ceiling composes of this service in one process (bench/src/order-ceiling.ts). */
export { ProfileCache } from './cache/profile-cache.ts'
export { UserRepository } from './db/user-repository.ts'
