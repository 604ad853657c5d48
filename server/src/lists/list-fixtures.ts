/**
 * Test fixtures for the list service (tests only): a temp data folder, a signing key, virtual
 * time, a publish function that keeps the retained messages like a broker, and decoders.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createListVerifiers, decodePayload, freshnessSchema, generateListSigningKey, listAnnounceSchema, topics,
  type Freshness, type ListAnnounce, type ProtocolListName,
} from '@rescard/shared';
import { pino } from 'pino';
import { afterAll } from 'vitest';
import { createListService, type ListService, type ListServiceDeps } from './list-service.js';

export const KEY = generateListSigningKey('srv-test');
export const VERIFIERS = createListVerifiers({ [KEY.signer.kid]: KEY.publicKeyPem });
export const T0 = Date.parse('2025-09-03T12:00:00Z');
export const tok = (i: number | string): string => createHash('sha256').update(`srv-test:${i}`).digest('base64url');

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

export function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'rescard-srv-lists-'));
  dirs.push(d);
  return d;
}

/** What a broker would keep: the last retained payload per topic, and every publish in order. */
export class FakeBroker {
  readonly retained = new Map<string, Buffer>();
  readonly log: { topic: string; payload: Buffer; retain: boolean }[] = [];
  publish = (topic: string, payload: Buffer, opts: { retain: boolean; qos: 0 | 1 }): Promise<void> => {
    this.log.push({ topic, payload, retain: opts.retain });
    if (opts.retain) this.retained.set(topic, payload);
    return Promise.resolve();
  };

  announce(audience: string, list: ProtocolListName): ListAnnounce | undefined {
    const p = this.retained.get(topics.list(audience, list));
    const d = p === undefined ? undefined : decodePayload(listAnnounceSchema, p);
    if (d !== undefined && !d.ok) throw new Error(`bad announcement: ${d.detail}`);
    return d?.value;
  }

  freshness(audience: string): Freshness | undefined {
    const p = this.retained.get(topics.freshness(audience));
    const d = p === undefined ? undefined : decodePayload(freshnessSchema, p);
    if (d !== undefined && !d.ok) throw new Error(`bad freshness: ${d.detail}`);
    return d?.value;
  }
}

export class TestClock {
  constructor(public now = T0) {}
  wallMs = (): number => this.now;
}

export async function makeService(
  dataDir: string, broker: FakeBroker, clock: TestClock, more: Partial<ListServiceDeps> = {},
): Promise<ListService> {
  return createListService({ dataDir, signer: KEY.signer, publish: broker.publish, clock, log: pino({ level: 'silent' }), ...more });
}

export const entry = (i: number, attrs: Record<string, string> = {}): { token: string; attrs: Record<string, string> } => ({ token: tok(i), attrs });
