import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { describable } from '../../oauth/errors.js';
import { FIELD_NAMES } from '../fields.js';
import { AdminError, type AdminWarning } from '../validate.js';
import { InvalidMember } from './schema.js';

/** The JSON members the admin API names for each field of the use cases (one map with the config file's keys). */
export const API_MEMBERS = FIELD_NAMES;

/** The admin API's error codes beyond RFC 6749's: a missing entry, and a clash with an existing one. */
export type ApiErrorCode = 'invalid_request' | 'not_found' | 'conflict' | 'insufficient_scope';

/** `{"error","error_description","field"?}`, the shape of every admin API error (the OAuth one, plus `field`). */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: 400 | 403 | 404 | 409,
    readonly error: ApiErrorCode,
    readonly description: string,
    readonly field?: string,
  ) {
    super(`${error}: ${description}`);
  }

  toJSON(): Record<string, unknown> {
    return {
      error: this.error,
      error_description: describable(this.description),
      ...(this.field !== undefined ? { field: this.field } : {}),
    };
  }
}

export const invalidMember = (field: string | undefined, description: string): ApiError =>
  new ApiError(400, 'invalid_request', description, field);

/** What a use case refused, as the API says it. */
export function fromAdminError(err: AdminError): ApiError {
  const field = err.field ? API_MEMBERS[err.field] : undefined;
  const description = err.wording(API_MEMBERS);
  switch (err.code) {
    case 'invalid_input':
    case 'weak_password':
      return new ApiError(400, 'invalid_request', description, field);
    case 'not_found':
      return new ApiError(404, 'not_found', description);
    case 'exists':
      return new ApiError(409, 'conflict', description, field);
    case 'in_use':
      return new ApiError(409, 'conflict', description);
    case 'forbidden':
      // RFC 6750 §3.1: the token is fine, its roles do not reach that far.
      return new ApiError(403, 'insufficient_scope', description);
  }
}

/** An expected refusal as an `ApiError`; anything else is not ours to word (`app.onError` answers it). */
export function toApiError(err: unknown): ApiError | undefined {
  if (err instanceof ApiError) return err;
  if (err instanceof AdminError) return fromAdminError(err);
  if (err instanceof InvalidMember) return invalidMember(err.field, err.problem);
  return undefined;
}

export function apiErrorResponse(c: Context, err: ApiError): Response {
  return c.body(JSON.stringify(err.toJSON()), err.status as ContentfulStatusCode, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
  });
}

/** A use case's warnings as the API words them (`redirect_uris "http://…" is plain http off loopback…`). */
export const warningTexts = (warnings: readonly AdminWarning[]): string[] =>
  warnings.map((w) => w.wording(API_MEMBERS));
