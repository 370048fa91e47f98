import { describe, expect, it } from 'vitest'
import { AppError, badRequest } from '../src/app-error.ts'
import { toErrorResponse } from '../src/to-error-response.ts'

describe('toErrorResponse', () => {
  it('answers an AppError with its status, code, message and details, and the message again as detail', () => {
    const reply = toErrorResponse(badRequest('UNKNOWN_MENU', 'Menu 7 does not exist', { menu_id: 7 }))
    expect(reply).toEqual({
      statusCode: 400,
      body: {
        error: { code: 'UNKNOWN_MENU', message: 'Menu 7 does not exist', details: { menu_id: 7 } },
        detail: 'Menu 7 does not exist',
      },
    })
  })

  it('leaves details out when there are none', () => {
    const { body } = toErrorResponse(new AppError(409, 'ORDER_NOT_CANCELLABLE', 'Only a confirmed order'))
    expect(body).toEqual({
      error: { code: 'ORDER_NOT_CANCELLABLE', message: 'Only a confirmed order' },
      detail: 'Only a confirmed order',
    })
  })

  it('names every failing field of a validation error', () => {
    const error = Object.assign(new Error('body/quantity must be >= 1'), {
      validation: [{ instancePath: '/quantity', message: 'must be >= 1', params: { limit: 1 } }],
      validationContext: 'body',
    })
    expect(toErrorResponse(error).body).toEqual({
      error: {
        code: 'VALIDATION_ERROR',
        message: 'body/quantity must be >= 1',
        details: [{ location: 'body', path: '/quantity', message: 'must be >= 1', params: { limit: 1 } }],
      },
      detail: 'body/quantity must be >= 1',
    })
  })

  it('names the bad value of an enum, the allowed ones and the closest', () => {
    const error = Object.assign(new Error('params/edge must be equal to one of the allowed values'), {
      validation: [
        {
          keyword: 'enum',
          instancePath: '/edge',
          message: 'must be equal to one of the allowed values',
          params: { allowedValues: ['order-user', 'order-restaurant', 'order-redis'] },
        },
      ],
      validationContext: 'params',
    })
    const message =
      'params/edge: `order-rdis` is not one of order-user, order-restaurant, order-redis — did you mean `order-redis`?'
    expect(toErrorResponse(error, { params: { edge: 'order-rdis' } }).body).toMatchObject({
      error: { code: 'VALIDATION_ERROR', message, details: [{ location: 'params', path: '/edge' }] },
      detail: message,
    })
    // Without the request's parts, the allowed values at least.
    expect(toErrorResponse(error).body.detail).toBe(
      'params/edge must be one of order-user, order-restaurant, order-redis',
    )
  })

  it("gives Fastify's own 4xx a code in the fleet's vocabulary", () => {
    const error = Object.assign(new Error('Unsupported Media Type'), {
      statusCode: 415,
      code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
    })
    expect(toErrorResponse(error)).toMatchObject({
      statusCode: 415,
      body: { error: { code: 'UNSUPPORTED_MEDIA_TYPE' } },
    })
  })

  it('answers anything else as a 500 that leaks nothing', () => {
    expect(toErrorResponse(new Error('password=hunter2 in a stack'))).toEqual({
      statusCode: 500,
      body: { error: { code: 'INTERNAL_ERROR', message: 'Internal server error' }, detail: 'Internal server error' },
    })
  })
})
