import type { StockChangeAnswer, StockChangeRequest, StockOperation, StockOutcome } from '@food/contracts'
import { serviceUnavailable } from '@food/errors'
import type { ServiceClient } from '@food/http-client'
import { serviceAuthorization } from '@food/service-auth'

export interface MenuPrice {
  id: number
  name: string
  price: number
}

export type StockAnswer =
  | { ok: true; outcome: StockOutcome }
  | { ok: false; statusCode: number; code: string; message: string; details?: Record<string, unknown> }

interface ErrorAnswer {
  error?: { code?: string; message?: string; details?: Record<string, unknown> }
}

/** The restaurant service as the order service sees it: menu prices and stock changes. */
export class RestaurantClient {
  readonly #http: ServiceClient
  readonly #credential: Record<string, string>

  /** `serviceToken`: SERVICE_TOKEN, which the restaurant's stock route asks of its callers. */
  constructor(http: ServiceClient, serviceToken: string) {
    this.#http = http
    this.#credential = serviceAuthorization(serviceToken)
  }

  /** The menu's current name and price; `undefined` when there is no such menu. */
  async menu(menuId: number): Promise<MenuPrice | undefined> {
    const response = await this.#http.request<MenuPrice>({ method: 'GET', path: `/menus/${menuId}` })
    if (response.statusCode === 200) return response.body
    if (response.statusCode === 404) return undefined
    throw serviceUnavailable(
      'DEPENDENCY_UNAVAILABLE',
      `restaurant GET /menus/${menuId} answered ${response.statusCode}`,
      {
        dependency: 'restaurant',
      },
    )
  }

  /** A reserve or restore for an order. Refusals are answers; timeouts and outages throw. */
  async changeStock(
    menuId: number,
    orderId: number,
    quantity: number,
    operation: StockOperation,
  ): Promise<StockAnswer> {
    const response = await this.#http.request<StockChangeAnswer & ErrorAnswer>({
      method: 'PUT',
      path: `/inventory/${menuId}`,
      headers: this.#credential,
      body: { order_id: String(orderId), quantity, operation } satisfies StockChangeRequest,
    })
    if (response.statusCode === 200) return { ok: true, outcome: response.body.outcome }
    if (response.statusCode >= 500) {
      throw serviceUnavailable(
        'DEPENDENCY_UNAVAILABLE',
        `restaurant PUT /inventory/${menuId} answered ${response.statusCode}`,
        { dependency: 'restaurant' },
      )
    }
    const error = response.body?.error
    return {
      ok: false,
      statusCode: response.statusCode,
      code: error?.code ?? 'UNKNOWN',
      message: error?.message ?? `answered ${response.statusCode}`,
      ...(error?.details ? { details: error.details } : {}),
    }
  }
}
