import type { CacheResult, JsonCache } from '@food/redis'
import type { CatalogRepository } from '../db/catalog-repository.ts'
import type { MenuView } from '../domain/catalog.ts'

export interface MenuCaches {
  list: JsonCache
  item: JsonCache
}

const jsonBytes = (value: MenuView | MenuView[]) => Buffer.from(JSON.stringify(value))

const listKey = (restaurantId?: number) => `menus:${restaurantId ?? 'all'}`
const itemKey = (menuId: number) => `menu:${menuId}`

/**
 * Menus read through Redis. A stock change invalidates every key that shows that menu's stock,
 * so nobody reads a stale stock after a reserve or restore. Without caches (the experiment's
 * uncached arm) every read goes to PostgreSQL.
 */
export class MenuCache {
  readonly #caches: MenuCaches | undefined
  readonly #catalog: CatalogRepository

  constructor(catalog: CatalogRepository, caches?: MenuCaches) {
    this.#catalog = catalog
    this.#caches = caches
  }

  /** The menus as the JSON the API answers (a hit is Redis' bytes, sent on as they are). */
  async list(restaurantId?: number): Promise<CacheResult<Buffer>> {
    const load = () => this.#catalog.listMenus(restaurantId)
    const cached = await this.#caches?.list.getOrLoadJson(listKey(restaurantId), load)
    return cached ?? { value: jsonBytes(await load()), source: 'MISS' }
  }

  /** One menu as the JSON the API answers, or `undefined` when there is no such menu. */
  async get(menuId: number): Promise<CacheResult<Buffer> | undefined> {
    const load = () => this.#catalog.findMenu(menuId)
    if (this.#caches) return this.#caches.item.getOrLoadJson(itemKey(menuId), load)
    const menu = await load()
    return menu && { value: jsonBytes(menu), source: 'MISS' }
  }

  /** A new menu appears in the lists at once. */
  async invalidateLists(restaurantId: number): Promise<void> {
    await this.#caches?.list.invalidate(listKey(), listKey(restaurantId))
  }

  async invalidateStock(menuId: number, restaurantId: number): Promise<void> {
    if (!this.#caches) return
    await Promise.all([
      this.#caches.item.invalidate(itemKey(menuId)),
      this.#caches.list.invalidate(listKey(), listKey(restaurantId)),
    ])
  }
}
