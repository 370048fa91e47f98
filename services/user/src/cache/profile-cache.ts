import type { CacheResult, JsonCache } from '@food/redis'
import type { UserRepository } from '../db/user-repository.ts'
import { type PublicProfile, toPublicProfile } from '../domain/user.ts'

/**
 * Public profiles by id, read through Redis. Profiles never change after signup (there is no
 * update or delete route), so a TTL is the only invalidation needed.
 */
export class ProfileCache {
  readonly #cache: JsonCache
  readonly #users: UserRepository

  constructor(cache: JsonCache, users: UserRepository) {
    this.#cache = cache
    this.#users = users
  }

  get(id: number): Promise<CacheResult<PublicProfile> | undefined> {
    return this.#cache.getOrLoad(`profile:${id}`, async () => {
      const user = await this.#users.findById(id)
      return user ? toPublicProfile(user) : undefined
    })
  }
}
