import {
  addProvider,
  describeProvider,
  listProviders,
  removeProvider,
  setProviderEnabled,
} from '../../admin/providers.js';
import type { Provider } from '../../store/types.js';
import { type Command, none, one, READ_ONLY, str, strs, UsageError, withDeps } from '../command.js';

/** One readable line for a provider. */
const providerLine = (p: Provider) =>
  `${p.slug}: ${p.name}, ${p.issuer} (${p.enabled ? 'enabled' : 'disabled'})`;

export const providerCommands: Record<string, Command> = {
  'provider add': {
    usage:
      'provider add --slug google|azure|<slug> [--issuer URL] [--tenant T] --client-id ID --client-secret S [--name N] [--disabled] [--token-auth client_secret_basic|client_secret_post] [--trusted-tenant T]...',
    summary:
      'register an upstream OpenID provider (google needs no --issuer; azure takes --tenant <id|organizations|common>); the secret is stored sealed',
    options: {
      slug: { type: 'string' },
      issuer: { type: 'string' },
      tenant: { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      name: { type: 'string' },
      disabled: { type: 'boolean' },
      'token-auth': { type: 'string' },
      'trusted-tenant': { type: 'string', multiple: true },
    },
    flags: { clientId: '--client-id', clientSecret: '--client-secret' },
    async run(v, p, out) {
      none(p);
      const [slug, clientId, clientSecret] = ['slug', 'client-id', 'client-secret'].map((k) => {
        const value = str(v, k);
        if (value === undefined) throw new UsageError(`--${k} is required`);
        return value;
      }) as [string, string, string];
      const provider = await withDeps((deps) =>
        addProvider(deps, {
          slug,
          clientId,
          clientSecret,
          ...(str(v, 'issuer') !== undefined ? { issuer: str(v, 'issuer')! } : {}),
          ...(str(v, 'tenant') !== undefined ? { tenant: str(v, 'tenant')! } : {}),
          ...(str(v, 'name') !== undefined ? { name: str(v, 'name')! } : {}),
          ...(str(v, 'token-auth') !== undefined ? { tokenAuth: str(v, 'token-auth')! } : {}),
          enabled: v['disabled'] !== true,
          trustedTenants: strs(v, 'trusted-tenant'),
        }),
      );
      out.result(describeProvider(provider), `added provider ${providerLine(provider)}`);
    },
  },
  'provider list': {
    usage: 'provider list',
    summary: 'list upstream providers (never their secrets)',
    options: {},
    async run(_v, _p, out) {
      const providers = await withDeps((deps) => listProviders(deps), READ_ONLY);
      out.result(providers.map(describeProvider), () => providers.map(providerLine).join('\n') || '(none)');
    },
  },
  'provider enable': {
    usage: 'provider enable <slug>',
    summary: 'offer a provider on the sign-in page again',
    options: {},
    async run(_v, p, out) {
      const slug = one(p, 'provider slug');
      const provider = await withDeps((deps) => setProviderEnabled(deps, slug, true));
      out.result(describeProvider(provider), `enabled provider ${providerLine(provider)}`);
    },
  },
  'provider disable': {
    usage: 'provider disable <slug>',
    summary: 'stop offering a provider; sign-ins through it fail with provider_disabled',
    options: {},
    async run(_v, p, out) {
      const slug = one(p, 'provider slug');
      const provider = await withDeps((deps) => setProviderEnabled(deps, slug, false));
      out.result(describeProvider(provider), `disabled provider ${providerLine(provider)}`);
    },
  },
  'provider remove': {
    usage: 'provider remove <slug>',
    summary: 'delete a provider entry (linked users keep their link; see user unlink)',
    options: {},
    async run(_v, p, out) {
      const slug = one(p, 'provider slug');
      await withDeps((deps) => removeProvider(deps, slug));
      out.result({ removed: true, slug }, `removed provider ${slug}`);
    },
  },
};
