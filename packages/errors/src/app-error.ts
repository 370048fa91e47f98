/**
 * An error that knows how it should be answered. Anything thrown that is not an
 * AppError (and not a 4xx from Fastify itself) is a bug and is answered as a
 * generic 500 without leaking its message.
 */
export class AppError extends Error {
  readonly statusCode: number
  readonly code: string
  readonly details: unknown

  constructor(statusCode: number, code: string, message: string, details?: unknown) {
    super(message)
    this.name = 'AppError'
    this.statusCode = statusCode
    this.code = code
    this.details = details
  }
}

export const badRequest = (code: string, message: string, details?: unknown) =>
  new AppError(400, code, message, details)
export const unauthorized = (code: string, message: string) => new AppError(401, code, message)
export const requestTimeout = (message: string) => new AppError(408, 'REQUEST_TIMEOUT', message)
export const notFound = (code: string, message: string) => new AppError(404, code, message)
export const conflict = (code: string, message: string, details?: unknown) => new AppError(409, code, message, details)
export const unprocessable = (code: string, message: string, details?: unknown) =>
  new AppError(422, code, message, details)
export const tooManyRequests = (code: string, message: string, details?: unknown) =>
  new AppError(429, code, message, details)
/** A 500 on purpose: the chaos plane's injected error, never a bug's. */
export const injectedError = (code: string, message: string) => new AppError(500, code, message)
export const serviceUnavailable = (code: string, message: string, details?: unknown) =>
  new AppError(503, code, message, details)
export const gatewayTimeout = (code: string, message: string, details?: unknown) =>
  new AppError(504, code, message, details)
