import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Hono } from 'hono';
import { ConfigError, contrastWithWhite, loadConfig, parseBrand } from '../../src/config.js';
import { brandingContext, brandingOf, brandVarsCss } from '../../src/http/branding.js';
import { allowFormTargets, CSP, securityHeaders } from '../../src/http/security.js';
import { type TestApp, tempDir, testApp } from '../helpers/server.js';

const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(64, 1)]);
const SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><rect width="8" height="8"/></svg>';
const WEBP = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 '), Buffer.alloc(16)]);

/** The one line a refused setting gives at start. */
function refused(env: Record<string, string>, pattern: RegExp): void {
  assert.throws(
    () => parseBrand(env),
    (err: Error) => {
      assert.ok(err instanceof ConfigError, String(err));
      assert.doesNotMatch(err.message, /\n/, 'one line');
      assert.match(err.message, pattern);
      return true;
    },
  );
}

describe('branding configuration (LATCHKEY_BRAND_*)', () => {
  const tmp = tempDir('latchkey-i14-brand-');
  const file = (name: string, body: string | Buffer) => {
    const path = join(tmp.dir, name);
    writeFileSync(path, body);
    return path;
  };
  after(() => tmp.cleanup());

  it('defaults: the name latchkey, no logo, the built-in colour, no extra stylesheet', () => {
    const brand = loadConfig({ LATCHKEY_DB: ':memory:' }).brand;
    assert.deepEqual(brand, { name: 'latchkey' });
    assert.deepEqual(brandingOf(brand), { name: 'latchkey', stylesheets: [] });
  });

  it('the name: at most 60 characters, no control characters', () => {
    assert.equal(parseBrand({ LATCHKEY_BRAND_NAME: 'Acme Identity' }).name, 'Acme Identity');
    assert.equal(parseBrand({ LATCHKEY_BRAND_NAME: 'é'.repeat(60) }).name.length, 60);
    refused({ LATCHKEY_BRAND_NAME: 'x'.repeat(61) }, /^LATCHKEY_BRAND_NAME must be 1-60 characters/);
    refused({ LATCHKEY_BRAND_NAME: 'Acme\nInc' }, /no control characters/);
    refused({ LATCHKEY_BRAND_NAME: '   ' }, /LATCHKEY_BRAND_NAME/);
  });

  it('the colour: #rrggbb with at least 4.5:1 against white text, else refused saying the ratio', () => {
    assert.equal(parseBrand({ LATCHKEY_BRAND_COLOR: '#0B5FFF' }).color, '#0b5fff');
    assert.ok(contrastWithWhite('#000000') > 20.9);
    assert.equal(contrastWithWhite('#ffffff'), 1);
    assert.ok(Math.abs(contrastWithWhite('#767676') - 4.54) < 0.01, 'the classic AA grey');
    refused({ LATCHKEY_BRAND_COLOR: '#ffcc00' }, /#ffcc00 has a contrast of 1\.\d\d:1 .*at least 4\.5:1/);
    refused({ LATCHKEY_BRAND_COLOR: '#777777' }, /4\.4\d:1/);
    for (const bad of ['red', '#fff', '0b5fff', '#0b5fffaa', 'rgb(0,0,0)'])
      refused({ LATCHKEY_BRAND_COLOR: bad }, /LATCHKEY_BRAND_COLOR must be a colour as #rrggbb/);
  });

  it('the logo: https, http to loopback only, or a PNG, SVG or WebP file of at most 512 KB', () => {
    assert.deepEqual(parseBrand({ LATCHKEY_BRAND_LOGO: 'https://cdn.example.test/acme.svg' }).logo, {
      url: 'https://cdn.example.test/acme.svg',
    });
    assert.ok(parseBrand({ LATCHKEY_BRAND_LOGO: 'http://localhost:8080/logo.png' }).logo);
    for (const bad of [
      'http://cdn.example.test/logo.png',
      'ftp://cdn.example.test/logo.png',
      'data:image/png;base64,AAAA',
      'javascript:alert(1)',
      'https://user:pw@cdn.example.test/logo.png',
    ])
      refused({ LATCHKEY_BRAND_LOGO: bad }, /^LATCHKEY_BRAND_LOGO must be an https URL/);
    refused({ LATCHKEY_BRAND_LOGO: 'http://[::1]:8080/logo.png' }, /IPv6/);

    for (const [name, body, type] of [
      ['logo.png', PNG, 'image/png'],
      ['logo.svg', SVG, 'image/svg+xml'],
      ['logo.webp', WEBP, 'image/webp'],
    ] as const) {
      const logo = parseBrand({ LATCHKEY_BRAND_LOGO: file(name, body) }).logo;
      assert.ok(logo && 'type' in logo);
      assert.equal(logo.type, type);
    }
    refused({ LATCHKEY_BRAND_LOGO: file('logo.gif', 'GIF89a') }, /must be a \.png, \.svg or \.webp file/);
    refused({ LATCHKEY_BRAND_LOGO: join(tmp.dir, 'missing.png') }, /cannot be read \(ENOENT\)/);
    refused({ LATCHKEY_BRAND_LOGO: file('fake.png', SVG) }, /the content of .*fake\.png is not image\/png/);
    const big = Buffer.concat([PNG, Buffer.alloc(512 * 1024)]);
    refused({ LATCHKEY_BRAND_LOGO: file('big.png', big) }, /KB; at most 512 KB/);
  });

  it('a logo URL whose host could add a CSP directive is refused', () => {
    for (const logo of ['https://a;script-src/x.png', 'https://a,b/x.png'])
      assert.throws(
        () => parseBrand({ LATCHKEY_BRAND_LOGO: logo }),
        (err: Error) => err instanceof ConfigError && err.message.includes('LATCHKEY_BRAND_LOGO'),
        logo,
      );
  });

  it('the extra stylesheet: a UTF-8 .css file', () => {
    assert.equal(
      parseBrand({ LATCHKEY_BRAND_CSS: file('extra.css', '.brand{gap:1rem}') }).css,
      '.brand{gap:1rem}',
    );
    refused({ LATCHKEY_BRAND_CSS: file('extra.txt', 'x') }, /must be a \.css file/);
    refused({ LATCHKEY_BRAND_CSS: file('bad.css', Buffer.from([0xff, 0xfe, 0x00])) }, /is not UTF-8 text/);
  });

  it('refused settings stop the start (loadConfig), not only the parser', () => {
    assert.throws(
      () => loadConfig({ LATCHKEY_DB: ':memory:', LATCHKEY_BRAND_COLOR: '#eeeeee' }),
      ConfigError,
    );
  });

  it('the accent sets the variables the stylesheet uses, its hover darker still', () => {
    const css = brandVarsCss('#0b5fff');
    assert.match(css, /--primary: #0b5fff;/);
    const hover = /--primary-hover: (#[0-9a-f]{6});/.exec(css)?.[1];
    assert.ok(hover && contrastWithWhite(hover) > contrastWithWhite('#0b5fff'));
  });
});

describe('branding assets and the pages’ CSP', () => {
  const tmp = tempDir('latchkey-i14-brand-assets-');
  let t: TestApp;
  let remote: TestApp;
  let logoUrl: string;
  let stylesheets: readonly string[];
  before(async () => {
    const logo = join(tmp.dir, 'logo.svg');
    writeFileSync(logo, SVG);
    const css = join(tmp.dir, 'extra.css');
    writeFileSync(css, '.brand-name { letter-spacing: 0.02em; }\n');
    const env = {
      LATCHKEY_BRAND_NAME: 'Acme',
      LATCHKEY_BRAND_LOGO: logo,
      LATCHKEY_BRAND_COLOR: '#0b5fff',
      LATCHKEY_BRAND_CSS: css,
    };
    t = await testApp(env);
    const branding = brandingOf(loadConfig({ LATCHKEY_DB: ':memory:', ...env }).brand);
    logoUrl = branding.logoUrl!;
    stylesheets = branding.stylesheets;
    remote = await testApp({ LATCHKEY_BRAND_LOGO: 'https://cdn.example.test/acme.png' });
  });
  after(async () => {
    await t.close();
    await remote.close();
    tmp.cleanup();
  });

  it('the Branding object names the assets latchkey serves, each URL versioned by its content', () => {
    assert.match(logoUrl, /^\/assets\/brand-logo\?v=[\w-]{16}$/);
    assert.equal(stylesheets.length, 2);
    assert.match(stylesheets[0]!, /^\/assets\/brand-vars\.css\?v=[\w-]{16}$/);
    assert.match(stylesheets[1]!, /^\/assets\/brand\.css\?v=[\w-]{16}$/);
  });

  it('the logo file: its type, a year’s cache, an ETag that answers 304, and a CSP that runs nothing', async () => {
    const res = await t.request(logoUrl);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/svg+xml');
    assert.match(res.headers.get('cache-control') ?? '', /max-age=31536000/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('content-security-policy'), "default-src 'none'; sandbox");
    assert.equal(await res.text(), SVG);
    const etag = res.headers.get('etag');
    assert.match(etag ?? '', /^"[\w-]{16}"$/);
    const again = await t.request('/assets/brand-logo', { headers: { 'if-none-match': etag! } });
    assert.equal(again.status, 304);
    assert.equal(await again.text(), '');
    const other = await t.request('/assets/brand-logo', { headers: { 'if-none-match': '"other"' } });
    assert.equal(other.status, 200);
  });

  it('the accent stylesheet and the extra one, as text/css', async () => {
    const vars = await t.request(stylesheets[0]!);
    assert.equal(vars.status, 200);
    assert.equal(vars.headers.get('content-type'), 'text/css; charset=utf-8');
    assert.match(await vars.text(), /--primary: #0b5fff;/);
    assert.ok(vars.headers.get('etag'));
    const extra = await t.request(stylesheets[1]!);
    assert.equal(extra.status, 200);
    assert.equal(extra.headers.get('content-type'), 'text/css; charset=utf-8');
    assert.equal(await extra.text(), '.brand-name { letter-spacing: 0.02em; }\n');
  });

  it('assets not configured are not there', async () => {
    for (const path of ['/assets/brand-logo', '/assets/brand-vars.css', '/assets/brand.css']) {
      const res = await remote.request(path);
      assert.equal(res.status, 404, path);
    }
  });

  it('every page sets c.var.branding', async () => {
    const app = new Hono();
    const config = loadConfig({ LATCHKEY_DB: ':memory:', LATCHKEY_BRAND_NAME: 'Acme' });
    app.use('*', brandingContext(config.brand));
    app.get('/', (c) => c.json(c.get('branding')));
    assert.deepEqual(await (await app.request('/')).json(), { name: 'Acme', stylesheets: [] });
  });

  it('the CSP stays strict with a logo file; a remote logo adds exactly its origin to img-src', async () => {
    const local = await t.request('/', { headers: { accept: 'text/html' } });
    assert.equal(local.headers.get('content-security-policy'), CSP);
    assert.match(CSP, /img-src 'self' data:;/);

    const page = await remote.request('/', { headers: { accept: 'text/html' } });
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /img-src 'self' data: https:\/\/cdn\.example\.test;/);
    assert.equal(csp.replace(' https://cdn.example.test', ''), CSP, 'nothing else changes');
    assert.equal(
      brandingOf(
        loadConfig({ LATCHKEY_DB: ':memory:', LATCHKEY_BRAND_LOGO: 'https://cdn.example.test/a.png' }).brand,
      ).logoUrl,
      'https://cdn.example.test/a.png',
    );
  });

  it('a page whose forms lead to a client keeps the remote logo’s origin in img-src', async () => {
    const config = loadConfig({
      LATCHKEY_DB: ':memory:',
      LATCHKEY_BRAND_LOGO: 'https://cdn.example.test/a.png',
    });
    const app = new Hono();
    app.use('*', securityHeaders(config));
    app.get('/', (c) => {
      allowFormTargets(c, ['https://rp.example.test/cb']);
      return c.text('ok');
    });
    const csp = (await app.request('/')).headers.get('content-security-policy') ?? '';
    assert.match(csp, /img-src 'self' data: https:\/\/cdn\.example\.test;/);
    assert.match(csp, /form-action 'self' https:\/\/rp\.example\.test;/);
  });
});
