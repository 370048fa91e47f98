/** The types of toxiproxy-client.mjs (plain JavaScript, for npm start before any install). */
export declare class ToxiproxyError extends Error {
  constructor(message: string, status: number, said: string)
  /** The API's HTTP status; 0 when it did not answer in time. */
  readonly status: number
  /** Its own words (its `error` field, or its text). */
  readonly said: string
}

export interface ToxicRequest {
  name?: string
  type: string
  stream?: 'upstream' | 'downstream'
  toxicity?: number
  /** Numbers, but for the protocol toxics' strings (http_error's body, postgres_error's code and message). */
  attributes?: Record<string, number | string>
  ttl_s?: number
}

export declare class ToxiproxyClient {
  constructor(url: string, options?: { timeoutMs?: number })
  readonly url: string
  call(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<unknown>
  proxies(): Promise<Record<string, unknown>>
  addToxic(edge: string, toxic: ToxicRequest): Promise<{ name: string } & Record<string, unknown>>
  removeToxic(edge: string, name: string): Promise<unknown>
  setEnabled(edge: string, enabled: boolean, ttlS?: number): Promise<unknown>
}
