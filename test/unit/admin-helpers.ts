import assert from 'node:assert/strict';
import { AdminError, type AdminErrorCode, type AdminField } from '../../src/admin/validate.js';

/** For `assert.rejects`: an `AdminError` with this code and field (none when left out). */
export const adminError =
  (code: AdminErrorCode, field?: AdminField) =>
  (err: unknown): true => {
    assert.ok(err instanceof AdminError, String(err));
    assert.equal(err.code, code, err.message);
    assert.equal(err.field, field, err.message);
    return true;
  };
