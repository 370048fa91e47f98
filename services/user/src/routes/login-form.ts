import { badRequest } from '@food/errors'
import Busboy from 'busboy'

// A login has two short fields (and OAuth2's optional extras); anything bigger is not a login.
const LIMITS = { fields: 10, parts: 10, files: 0, fieldSize: 1024 }
// RFC 2046: 1–70 characters from this set, not ending in a space.
const BOUNDARY = /^--([0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?])\r\n/

const invalidForm = (why: string) => badRequest('INVALID_FORM', `The multipart/form-data body ${why}`)

/** The text fields of a `multipart/form-data` body; a file, or more than a login holds, is a 400. */
export function formFields(body: Buffer, contentType: string): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    let parser: Busboy.Busboy
    try {
      parser = Busboy({ headers: { 'content-type': contentType }, limits: LIMITS })
    } catch {
      return reject(invalidForm('has no boundary'))
    }
    const fields: Record<string, string> = {}
    let refusal: Error | undefined
    const refuse = (why: string) => {
      refusal ??= invalidForm(why)
    }
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated || info.nameTruncated) refuse('has a field longer than 1 KiB')
      fields[name] = value
    })
    parser.on('file', (_name, stream) => {
      stream.resume()
      refuse('holds a file; a login takes text fields only')
    })
    for (const limit of ['fieldsLimit', 'partsLimit', 'filesLimit'] as const) {
      parser.on(limit, () => refuse('has more parts than a login'))
    }
    parser.on('error', () => reject(refusal ?? invalidForm('is malformed')))
    parser.on('close', () => (refusal ? reject(refusal) : resolve(fields)))
    parser.end(body)
  })
}

/**
 * The boundary of a multipart body that came labelled as another type. The original sample's
 * web front end sends its login FormData with `Content-Type: application/json` (its helper sets
 * that header on every call), so such a body is recognised by its shape: it opens with a
 * boundary line and closes with the same boundary followed by `--`.
 */
export function mislabelledFormBoundary(body: string): string | undefined {
  const boundary = BOUNDARY.exec(body)?.[1]
  if (boundary === undefined) return undefined
  return body.trimEnd().endsWith(`--${boundary}--`) ? boundary : undefined
}
