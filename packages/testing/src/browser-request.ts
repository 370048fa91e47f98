import { request as httpRequest } from 'node:http'

/** A request with the headers a browser page would send (`Host`, `Origin`: fetch cannot set Host); its status and body. */
export function browserRequest(url: string, method: string, headers: Record<string, string>) {
  return new Promise<{ status: number; body: unknown }>((resolve, reject) => {
    const sent = httpRequest(url, { method, headers }, (response) => {
      let text = ''
      response.setEncoding('utf8').on('data', (chunk) => {
        text += chunk
      })
      const json = response.headers['content-type']?.startsWith('application/json')
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: json ? JSON.parse(text) : text }))
    })
    sent.on('error', reject).end()
  })
}
