/**
 * A client of Toxiproxy's HTTP API (the fault proxy's, or a real Toxiproxy's): the one the chaos
 * plane, the lab's engine and npm start share. Plain JavaScript on Node's fetch, so that npm start
 * can use it before anything is installed; its types are in toxiproxy-client.d.mts.
 */

/** A call the API refused (`status`: its answer) or did not answer in time (`status` 0). */
export class ToxiproxyError extends Error {
  constructor(message, status, said) {
    super(message)
    this.name = 'ToxiproxyError'
    this.status = status
    this.said = said
  }
}

export class ToxiproxyClient {
  constructor(url, { timeoutMs = 2000 } = {}) {
    this.url = url.replace(/\/$/, '')
    this.timeoutMs = timeoutMs
  }

  /** One call: its JSON answer (null when empty), or a ToxiproxyError in the API's own words. */
  async call(method, path, body) {
    let answer
    try {
      answer = await fetch(`${this.url}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? null : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      })
    } catch (error) {
      throw new ToxiproxyError(`the fault proxy does not answer at ${this.url}: ${error.message}`, 0, error.message)
    }
    const text = await answer.text()
    if (!answer.ok) {
      let said = text
      try {
        said = JSON.parse(text).error ?? text
      } catch {}
      throw new ToxiproxyError(`${method} ${path} answered ${answer.status}: ${text}`, answer.status, said)
    }
    return text ? JSON.parse(text) : null
  }

  /** Every proxy (edge) by name, with its toxics: GET /proxies. */
  proxies() {
    return this.call('GET', '/proxies')
  }

  /** Adds a toxic to an edge (with `ttl_s`, the proxy removes it then); the toxic as the proxy made it. */
  addToxic(edge, toxic) {
    return this.call('POST', `/proxies/${encodeURIComponent(edge)}/toxics`, toxic)
  }

  removeToxic(edge, name) {
    return this.call('DELETE', `/proxies/${encodeURIComponent(edge)}/toxics/${encodeURIComponent(name)}`)
  }

  /** Takes an edge down (for `ttlS` seconds, if given) or brings it up. */
  setEnabled(edge, enabled, ttlS) {
    return this.call('POST', `/proxies/${encodeURIComponent(edge)}`, {
      enabled,
      ...(ttlS && !enabled ? { ttl_s: ttlS } : {}),
    })
  }
}
