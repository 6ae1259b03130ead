import type { Context } from 'hono';
import { Hono } from 'hono';
import {
  ConsoleProviderAddPage,
  ConsoleProvidersPage,
  type DiscoveryReport,
  type ProviderDraft,
  type ProviderPreset,
  providerHref,
} from '../../../views/index.js';
import type { Deps } from '../../deps.js';
import { type DiscoveryFailure, UpstreamError, Upstreams } from '../../federation/upstream.js';
import { htmlPage } from '../../http/render.js';
import type { Provider } from '../../store/types.js';
import { addProvider, listProviders, removeProvider, setProviderEnabled } from '../providers.js';
import {
  backTo,
  type Confirmation,
  confirmationPage,
  confirmDestructive,
  consoleContext,
  consolePage,
  formOf,
  notFound,
  refused,
  stepUpField,
} from './common.js';
import { requireConsole } from './guard.js';

const HREF = '/admin/providers';
const NOTICES: Record<string, string> = {
  added: 'Provider added.',
  enabled: 'Provider enabled: the sign-in page offers it.',
  disabled: 'Provider disabled: the sign-in page no longer offers it.',
  removed: 'Provider removed. Users linked through it keep their link.',
};
const PRESETS: readonly ProviderPreset[] = ['google', 'azure', 'oidc'];

const DISCOVERY_FAILURES: Record<DiscoveryFailure, string> = {
  unreachable: 'not reachable',
  invalid: 'not a valid discovery document',
  issuer_mismatch: 'issuer mismatch',
};

/** What "Test" says of a failure: one sentence and a coarse reason, never the error's own text. */
function testFailure(provider: Provider, err: UpstreamError): string {
  const url = `${provider.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const reason = err.discovery ? ` (${DISCOVERY_FAILURES[err.discovery]})` : '';
  return `Test of ${provider.slug}: could not read the discovery document at ${url}${reason}.`;
}

const presetOf = (c: Context): ProviderPreset => {
  const preset = c.req.query('preset') as ProviderPreset;
  return PRESETS.includes(preset) ? preset : 'oidc';
};

async function findProvider(deps: Deps, slug: string): Promise<Provider> {
  const provider = (await listProviders(deps)).find((p) => p.slug === slug);
  if (!provider) throw notFound('such provider');
  return provider;
}

/** The discovery endpoints worth showing, as the document names them. */
const ENDPOINTS = ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri'] as const;

/**
 * `/admin/providers`: the upstream providers through `listProviders`, `addProvider`, `setProviderEnabled` and
 * `removeProvider`, as `latchkey provider` does; "Test" runs federation's own discovery (`Upstreams`).
 */
export function providersSection(deps: Deps): Hono {
  const app = new Hono();
  const list = async (c: Context, extra: { error?: string; found?: DiscoveryReport } = {}) => ({
    ...consolePage(c, deps),
    providers: await listProviders(deps),
    canWrite: c.get('console').permissions.has('providers:write'),
    notice: NOTICES[c.req.query('done') ?? ''],
    ...extra,
  });
  app.get('/', requireConsole(deps, 'providers:read'), async (c) =>
    htmlPage(c, ConsoleProvidersPage, await list(c)),
  );

  const addPage = async (c: Context, draft: ProviderDraft, error?: string) => ({
    ...consolePage(c, deps),
    stepUp: await stepUpField(c, deps),
    preset: presetOf(c),
    draft,
    callbackBase: `${deps.config.issuer}/federation/`,
    error,
  });
  app.get('/new', requireConsole(deps, 'providers:write'), async (c) =>
    htmlPage(
      c,
      ConsoleProviderAddPage,
      await addPage(c, { slug: '', name: '', issuer: '', tenant: '', clientId: '' }),
    ),
  );
  app.post('/new', requireConsole(deps, 'providers:write'), async (c) => {
    const form = await formOf(c);
    const preset = presetOf(c);
    const draft: ProviderDraft = {
      slug: preset === 'oidc' ? (form.get('slug') ?? '').trim() : preset,
      name: form.get('name')?.trim() ?? '',
      issuer: form.get('issuer')?.trim() ?? '',
      tenant: form.get('tenant')?.trim() ?? '',
      clientId: form.get('clientId')?.trim() ?? '',
    };
    // A provider added is a way in: the admin's second factor again first.
    const stepUp = await confirmDestructive(c, deps);
    if (stepUp)
      return htmlPage(c, ConsoleProviderAddPage, await addPage(c, draft, stepUp.error), stepUp.status);
    try {
      await addProvider(
        deps,
        {
          slug: draft.slug,
          clientId: draft.clientId,
          clientSecret: form.get('clientSecret') ?? '',
          ...(draft.name ? { name: draft.name } : {}),
          ...(preset === 'oidc' ? { issuer: draft.issuer } : {}),
          ...(preset === 'azure' ? { tenant: draft.tenant } : {}),
        },
        consoleContext(c),
      );
    } catch (err) {
      const { error, status } = refused(err);
      return htmlPage(c, ConsoleProviderAddPage, await addPage(c, draft, error), status);
    }
    return backTo(c, HREF, 'added');
  });

  app.post('/:slug/disable', requireConsole(deps, 'providers:write'), async (c) => {
    const provider = await findProvider(deps, c.req.param('slug'));
    await setProviderEnabled(deps, provider.slug, false, consoleContext(c));
    return backTo(c, HREF, 'disabled');
  });

  // Enabling offers a way in again: a confirmation page, and its POST asks for the step-up.
  const enabling = (provider: Provider, error?: string): Confirmation => ({
    title: `Enable the provider ${provider.name}`,
    consequences: [
      `The sign-in page offers ${provider.name} again; its linked users can sign in through it.`,
    ],
    action: `${providerHref(provider.slug)}/enable`,
    button: 'Enable provider',
    cancel: HREF,
    error,
  });
  app.get('/:slug/enable', requireConsole(deps, 'providers:write'), async (c) =>
    confirmationPage(c, deps, enabling(await findProvider(deps, c.req.param('slug')))),
  );
  app.post('/:slug/enable', requireConsole(deps, 'providers:write'), async (c) => {
    const provider = await findProvider(deps, c.req.param('slug'));
    const refusal = await confirmDestructive(c, deps);
    if (refusal) return confirmationPage(c, deps, enabling(provider, refusal.error), refusal.status);
    await setProviderEnabled(deps, provider.slug, true, consoleContext(c));
    return backTo(c, HREF, 'enabled');
  });

  // A fresh `Upstreams` each time: "Test" fetches the document now, not what a sign-in cached.
  app.post('/:slug/test', requireConsole(deps, 'providers:write'), async (c) => {
    const provider = await findProvider(deps, c.req.param('slug'));
    try {
      const metadata = (await new Upstreams(deps).configuration(provider)).serverMetadata();
      const found: DiscoveryReport = {
        slug: provider.slug,
        issuer: metadata.issuer,
        endpoints: ENDPOINTS.flatMap((name) => {
          const url = metadata[name];
          return typeof url === 'string' ? [[name, url] as [string, string]] : [];
        }),
        algorithms: (metadata.id_token_signing_alg_values_supported as string[] | undefined) ?? [],
      };
      return htmlPage(c, ConsoleProvidersPage, await list(c, { found }));
    } catch (err) {
      if (!(err instanceof UpstreamError)) throw err;
      // The detail (ECONNREFUSED, a reset, a TLS error) would tell an open port from a closed one: logged only.
      deps.log.debug?.(`provider test of ${provider.slug} failed: ${err.message}`);
      return htmlPage(c, ConsoleProvidersPage, await list(c, { error: testFailure(provider, err) }));
    }
  });

  const confirmation = (provider: Provider, error?: string): Confirmation => ({
    title: `Remove the provider ${provider.name}`,
    consequences: [
      `The sign-in page no longer offers ${provider.name}; sign-ins through it in progress fail.`,
      'Users linked through it keep their link (unlink them from their user page to hand out a set-password link).',
      'Adding it again needs its client secret again.',
    ],
    action: `${providerHref(provider.slug)}/remove`,
    button: 'Remove provider',
    cancel: HREF,
    error,
  });
  app.get('/:slug/remove', requireConsole(deps, 'providers:write'), async (c) =>
    confirmationPage(c, deps, confirmation(await findProvider(deps, c.req.param('slug')))),
  );
  app.post('/:slug/remove', requireConsole(deps, 'providers:write'), async (c) => {
    const provider = await findProvider(deps, c.req.param('slug'));
    const refusal = await confirmDestructive(c, deps);
    if (refusal) return confirmationPage(c, deps, confirmation(provider, refusal.error), refusal.status);
    try {
      await removeProvider(deps, provider.slug, consoleContext(c));
    } catch (err) {
      const { error, status } = refused(err);
      return confirmationPage(c, deps, confirmation(provider, error), status);
    }
    return backTo(c, HREF, 'removed');
  });
  return app;
}
