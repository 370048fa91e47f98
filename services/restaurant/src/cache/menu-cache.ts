import type { CacheResult, JsonCache } from '@food/redis'
import type { CatalogRepository } from '../db/catalog-repository.ts'
import type { MenuView } from '../domain/catalog.ts'

export interface MenuCaches {
  list: JsonCache
  item: JsonCache
}

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

  async list(restaurantId?: number): Promise<CacheResult<MenuView[]>> {
    const load = () => this.#catalog.listMenus(restaurantId)
    const cached = await this.#caches?.list.getOrLoad(listKey(restaurantId), load)
    return cached ?? { value: await load(), source: 'MISS' }
  }

  async get(menuId: number): Promise<CacheResult<MenuView> | undefined> {
    const load = () => this.#catalog.findMenu(menuId)
    if (this.#caches) return this.#caches.item.getOrLoad(itemKey(menuId), load)
    const menu = await load()
    return menu && { value: menu, source: 'MISS' }
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
