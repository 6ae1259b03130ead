import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Clock } from '../clock.js';
import { ConfigError } from '../config.js';
import { randomToken } from '../crypto/hash.js';
import type { Sealer } from '../crypto/seal.js';
import type { NewAuditEvent, SigningAlg, SigningKey, Store } from '../store/types.js';

export const ALGORITHMS: readonly SigningAlg[] = ['ES256', 'RS256'];

interface LoadedKey {
  kid: string;
  alg: SigningAlg;
  active: boolean;
  createdAt: number;
  retiredAt: number | null;
  publicKey: KeyObject;
  privateKey?: KeyObject;
  sealed: string;
}

/**
 * The signing keys, loaded once and reloaded when the database changes under us (`latchkey keys rotate`
 * from the CLI is seen by a running server at the next request). The JWKS document is precomputed bytes.
 */
export class KeyRing {
  private keys = new Map<string, LoadedKey>();
  private jwksBody = '{"keys":[]}';
  private generation = -1;
  /** When the next retired key leaves the JWKS (epoch seconds): time alone changes what is published. */
  private nextExpiryAt = Number.POSITIVE_INFINITY;
  private loading: Promise<void> | undefined;
  /** When an unknown `kid` last made us reload (epoch ms): at most one such reload a second. */
  private lastMissReloadMs = Number.NEGATIVE_INFINITY;
  /** That reload: what is asked for while it runs waits for it. */
  private missReload: Promise<void> | undefined;

  /**
   * `activationDelaySeconds`: how long a new key is only published before it signs (0: it signs at once). With
   * several nodes on one database (PostgreSQL) a rotation made anywhere must reach every node, and every node's
   * JWKS, before any node signs with the new key; until then each keeps signing with the key it replaces.
   */
  constructor(
    private readonly store: Store,
    private readonly sealer: Sealer,
    private readonly clock: Clock,
    private readonly activationDelaySeconds = 0,
  ) {}

  /** Creates an ES256 and an RS256 key on first start. */
  async init(): Promise<void> {
    const existing = await this.store.keys.list();
    const missing = ALGORITHMS.filter((alg) => !existing.some((k) => k.active && k.alg === alg));
    // `addFirst`: another node starting at the same moment may add its own first; only one set is kept.
    if (missing.length)
      await this.store.keys.addFirst(await Promise.all(missing.map((alg) => this.generate(alg))));
    await this.reload();
    for (const alg of ALGORITHMS) {
      try {
        await this.signingKey(alg);
      } catch (cause) {
        throw new ConfigError(
          `the active ${alg} signing key cannot be opened: LATCHKEY_SECRET is not the secret it was sealed with`,
          { cause },
        );
      }
    }
  }

  /**
   * Makes new keys active; the old ones stay published for `publishSeconds`. `event`, given the new kids,
   * is the audit row written with them.
   */
  async rotate(publishSeconds: number, event?: (kids: string[]) => NewAuditEvent): Promise<SigningKey[]> {
    const now = this.clock.now();
    const fresh = await Promise.all(ALGORITHMS.map((alg) => this.generate(alg)));
    await this.store.keys.add(
      fresh,
      { at: now, publishUntil: now + publishSeconds },
      event?.(fresh.map((k) => k.kid)),
    );
    await this.store.keys.prune(now);
    await this.reload();
    return fresh;
  }

  private async generate(alg: SigningAlg): Promise<SigningKey> {
    const { publicKey, privateKey } = await generateKeyPair(alg, {
      extractable: true,
      ...(alg === 'RS256' ? { modulusLength: 2048 } : {}),
    });
    const kid = randomToken(12);
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
    const privateJwk = await exportJWK(privateKey);
    return {
      kid,
      alg,
      publicJwk,
      privateSealed: this.sealer.seal(JSON.stringify(privateJwk)),
      createdAt: this.clock.now(),
      active: true,
      retiredAt: null,
      publishUntil: null,
    };
  }

  private async fresh(): Promise<void> {
    if (this.store.generation() === this.generation && this.clock.now() < this.nextExpiryAt) return;
    await this.sharedReload();
  }

  /** One reload for every caller that asks while it runs. */
  private async sharedReload(): Promise<void> {
    this.loading ??= this.reload().finally(() => {
      this.loading = undefined;
    });
    await this.loading;
  }

  async reload(): Promise<void> {
    const generation = this.store.generation();
    const now = this.clock.now();
    const rows = (await this.store.keys.list()).filter((k) => k.active || (k.publishUntil ?? 0) > now);
    const next = new Map<string, LoadedKey>();
    for (const row of rows) {
      const prior = this.keys.get(row.kid);
      if (prior && prior.sealed === row.privateSealed) {
        next.set(row.kid, { ...prior, active: row.active, retiredAt: row.retiredAt });
        continue;
      }
      const publicKey = createPublicKey({ key: row.publicJwk as JWK & { kty: string }, format: 'jwk' });
      next.set(row.kid, {
        kid: row.kid,
        alg: row.alg,
        active: row.active,
        createdAt: row.createdAt,
        retiredAt: row.retiredAt,
        publicKey,
        sealed: row.privateSealed,
      });
    }
    this.keys = next;
    this.nextExpiryAt = Math.min(
      Number.POSITIVE_INFINITY,
      ...rows.filter((k) => !k.active).map((k) => k.publishUntil ?? 0),
    );
    this.jwksBody = JSON.stringify({
      keys: rows.map(({ publicJwk }) => publicJwk),
    });
    this.generation = generation;
  }

  async jwks(): Promise<string> {
    await this.fresh();
    return this.jwksBody;
  }

  /**
   * The key that signs for an algorithm, private part unsealed on first use: the active one, or, with an
   * activation delay, the one that was active `activationDelaySeconds` ago (see the constructor).
   */
  async signingKey(alg: SigningAlg): Promise<{ kid: string; key: KeyObject }> {
    await this.fresh();
    let found: LoadedKey | undefined;
    for (const k of this.keys.values()) if (k.active && k.alg === alg) found = k;
    if (this.activationDelaySeconds > 0) found = this.settled(alg) ?? found;
    if (!found) throw new Error(`no active ${alg} signing key`);
    if (!found.privateKey) {
      const jwk = JSON.parse(this.sealer.open(found.sealed)) as JWK & { kty: string };
      found.privateKey = createPrivateKey({ key: jwk, format: 'jwk' });
    }
    return { kid: found.kid, key: found.privateKey };
  }

  /**
   * The key of `alg` that signs with the delay: of the keys not retired before the delay began, the newest
   * created at least the delay ago; when none was (a rotation within the delay of the first start), the oldest,
   * which is the one being replaced. So during the delay after a rotation the key it replaces keeps signing.
   */
  private settled(alg: SigningAlg): LoadedKey | undefined {
    const then = this.clock.now() - this.activationDelaySeconds;
    // Older first: by creation, and of two made in the same second the retired one is the older.
    const older = (a: LoadedKey, b: LoadedKey) =>
      a.createdAt !== b.createdAt ? a.createdAt < b.createdAt : a.retiredAt !== null && b.retiredAt === null;
    let newestSettled: LoadedKey | undefined;
    let oldest: LoadedKey | undefined;
    for (const k of this.keys.values()) {
      if (k.alg !== alg || (k.retiredAt !== null && k.retiredAt <= then)) continue;
      if (!oldest || older(k, oldest)) oldest = k;
      if (k.createdAt <= then && (!newestSettled || older(newestSettled, k))) newestSettled = k;
    }
    return newestSettled ?? oldest;
  }

  /** Whether an active key of every algorithm is there and opens with the secret: what `/readyz` asks. */
  async loaded(): Promise<boolean> {
    try {
      for (const alg of ALGORITHMS) await this.signingKey(alg);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * The public key for a `kid` (active or still published), for verification. An unknown `kid` reloads once:
   * another node may have just rotated and signed with its new key before our change notice arrived (issue
   * 18). At most one such reload a second, so made-up kids cannot turn every request into a database read.
   */
  async verificationKey(kid: string): Promise<{ alg: SigningAlg; key: KeyObject } | undefined> {
    await this.fresh();
    let k = this.keys.get(kid);
    if (!k) {
      const now = this.clock.nowMs();
      if (now - this.lastMissReloadMs >= 1000) {
        this.lastMissReloadMs = now;
        // A reload already running may have read the keys before the rotation: wait for it, then read again.
        const running = this.loading;
        // A reload that fails (the database out of reach) leaves the kid unknown, rather than making every
        // verification of the next second throw its error.
        this.missReload = (async () => {
          if (running) await running;
          await this.sharedReload();
        })().catch(() => {});
      }
      if (this.missReload) {
        await this.missReload;
        k = this.keys.get(kid);
      }
    }
    return k ? { alg: k.alg, key: k.publicKey } : undefined;
  }
}
