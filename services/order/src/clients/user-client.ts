import { serviceUnavailable, unauthorized } from '@food/errors'
import type { ServiceClient } from '@food/http-client'

export interface Caller {
  userId: number
  username: string
}

interface ValidateAnswer {
  valid?: boolean
  user_id?: number
  username?: string
  error?: { code?: string; message?: string }
}

/** The user service as the order service sees it: one question, is this token good? */
export class UserClient {
  readonly #http: ServiceClient

  constructor(http: ServiceClient) {
    this.#http = http
  }

  /** The caller behind a Bearer token; 401 when the user service says no, 503/504 when it cannot say. */
  async validate(authorization: string): Promise<Caller> {
    const response = await this.#http.request<ValidateAnswer>({
      method: 'POST',
      path: '/validate',
      headers: { authorization },
    })
    const body = response.body
    if (response.statusCode === 200 && body?.valid && typeof body.user_id === 'number') {
      return { userId: body.user_id, username: body.username ?? '' }
    }
    if (response.statusCode === 401) {
      throw unauthorized(body?.error?.code ?? 'TOKEN_INVALID', body?.error?.message ?? 'The token was refused')
    }
    throw serviceUnavailable('DEPENDENCY_UNAVAILABLE', `user POST /validate answered ${response.statusCode}`, {
      dependency: 'user',
    })
  }
}
