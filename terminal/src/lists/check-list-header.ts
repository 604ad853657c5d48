/**
 * What a device checks on a list file's header before it reads the payload, in this order:
 * authenticity (signature by a pinned kid, or a dev file where dev files are allowed), audience,
 * freshness, version. Metadata only: a forged or unwanted file costs one header read.
 * Signature first, so every later message speaks about a manifest the device knows is genuine.
 */
import {
  RescardError, manifestTimesMs, verifyManifestSignature, type ListFileHeader, type ListVerifiers,
} from '@rescard/shared';
import type { ListMeta } from '../core/model.js';

export interface ListFilePolicy {
  /** Pinned public keys by kid. */
  readonly verifiers: ListVerifiers;
  /** Accept unsigned dev-mode files (development and demos only). */
  readonly allowDev: boolean;
  /** Audiences this device accepts, e.g. ["region", "school:S1"]. */
  readonly audiences: readonly string[];
  /** Trusted wall-clock time. */
  readonly nowMs: number;
}

function refuse(message: string, reason: string, details: Record<string, unknown> = {}): RescardError {
  return new RescardError('LIST_FILE_INVALID', `list file: ${message}`, { reason, ...details });
}

/** Check `header` against the policy and the lists the device holds; returns the meta to store. */
export function checkListHeader(header: ListFileHeader, policy: ListFilePolicy, held: readonly ListMeta[]): ListMeta {
  const m = header.manifest;
  if (header.dev && !policy.allowDev) {
    throw refuse(`${m.list} v${m.version} is a dev-mode (unsigned) file; this device accepts signed lists only`, 'dev-not-allowed', {
      list: m.list,
    });
  }
  if (!header.dev) verifyManifestSignature(header.manifest, header.signature, policy.verifiers);
  if (!policy.audiences.includes(m.audience)) {
    throw refuse(`${m.list} v${m.version} is for audience "${m.audience}"; this device accepts ${policy.audiences.map((a) => `"${a}"`).join(', ') || 'none'}`, 'audience', {
      list: m.list, audience: m.audience,
    });
  }
  const { issuedAtMs, expiresAtMs } = manifestTimesMs(m);
  if (expiresAtMs <= policy.nowMs) {
    throw refuse(`${m.list} v${m.version} expired at ${m.expiresAt}`, 'expired', {
      list: m.list, expiresAt: m.expiresAt, nowMs: policy.nowMs,
    });
  }
  const current = held.find((h) => h.list === m.list);
  if (current !== undefined && m.version <= current.version) {
    throw new RescardError('LIST_VERSION_ROLLBACK', `list ${m.list}: v${m.version} is not newer than v${current.version}`, {
      list: m.list, version: m.version, currentVersion: current.version,
    });
  }
  if (m.baseVersion !== null && current?.version !== m.baseVersion) {
    const holds = current === undefined ? 'holds no version (load a snapshot first)' : `holds v${current.version}`;
    throw new RescardError('LIST_BASE_MISMATCH', `list ${m.list}: delta v${m.baseVersion}→v${m.version}, but the device ${holds}`, {
      list: m.list, baseVersion: m.baseVersion, currentVersion: current?.version ?? null,
    });
  }
  return { list: m.list, version: m.version, issuedAtMs, expiresAtMs, count: m.count ?? 0 };
}
