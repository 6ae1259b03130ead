/**
 * Admin permissions (issue 12): what a route of `/admin/v1` (and the admin console) needs. A caller holds
 * them through roles: a user's roles (with a token carrying the `admin` scope) or a client's roles (its
 * client-credentials tokens with the `admin` scope).
 */
export const PERMISSIONS = [
  'users:read',
  'users:write',
  'users:unlink',
  'users:mfa',
  'clients:read',
  'clients:write',
  'scopes:read',
  'scopes:write',
  'providers:read',
  'providers:write',
  'keys:read',
  'keys:rotate',
  'events:read',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** The scope an access token needs before any permission counts; never on a consent page. */
export const ADMIN_SCOPE = 'admin';

/**
 * The built-in roles: `admin` has every permission, `auditor` every `:read` one. Any other role that is itself
 * a permission's name (`--role events:read`) grants that one permission; other roles grant nothing here.
 */
export const BUILTIN_ROLES: Readonly<Record<string, readonly Permission[]>> = {
  admin: PERMISSIONS,
  auditor: PERMISSIONS.filter((p) => p.endsWith(':read')),
};

const isPermission = (role: string): role is Permission => (PERMISSIONS as readonly string[]).includes(role);

/** The permissions a set of roles grants. */
export function permissionsOf(roles: readonly string[]): Set<Permission> {
  const granted = new Set<Permission>();
  for (const role of roles) {
    const fromRole = Object.hasOwn(BUILTIN_ROLES, role) ? BUILTIN_ROLES[role] : undefined;
    if (fromRole) for (const p of fromRole) granted.add(p);
    else if (isPermission(role)) granted.add(role);
  }
  return granted;
}

/** Whether the roles grant any admin permission at all (who may hold the `admin` scope). */
export const grantsAnyPermission = (roles: readonly string[]): boolean => permissionsOf(roles).size > 0;
