import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { signJws } from '../../src/tokens/jws.js';

describe('signJws (node:crypto) is verified by jose', () => {
  const payload = { iss: 'https://id.example', sub: 'u1', aud: 'c1', iat: 1000, exp: 2000, name: 'Zoë ✓' };
  for (const alg of ['ES256', 'RS256'] as const) {
    const { privateKey, publicKey } =
      alg === 'ES256'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : generateKeyPairSync('rsa', { modulusLength: 2048 });

    it(`${alg}: jose accepts the signature, header and claims`, async () => {
      const token = signJws(alg, privateKey, { typ: 'at+jwt', kid: 'k1' }, payload);
      const { payload: claims, protectedHeader } = await jwtVerify(token, publicKey, {
        issuer: 'https://id.example',
        audience: 'c1',
        typ: 'at+jwt',
        algorithms: [alg],
        currentDate: new Date(1500 * 1000),
      });
      assert.deepEqual(claims, payload);
      assert.deepEqual(protectedHeader, { typ: 'at+jwt', kid: 'k1', alg });
      assert.deepEqual(decodeProtectedHeader(token).alg, alg);
    });

    it(`${alg}: a changed payload or signature is refused`, async () => {
      const token = signJws(alg, privateKey, { kid: 'k1' }, payload);
      const [h, , sig] = token.split('.');
      const forged = `${h}.${Buffer.from(JSON.stringify({ ...payload, sub: 'admin' })).toString('base64url')}.${sig}`;
      await assert.rejects(jwtVerify(forged, publicKey, { currentDate: new Date(1500 * 1000) }));
      const flipped = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
      await assert.rejects(jwtVerify(flipped, publicKey, { currentDate: new Date(1500 * 1000) }));
    });
  }
});
