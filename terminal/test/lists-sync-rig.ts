/**
 * Rig for the list sync scenarios: the real server list service (server/src/lists) publishing
 * into a retaining in-memory broker wired to the device's FakeMessageBus, a node:http server
 * serving the server's list files (and any hand-made file), and a device with a real SQLite
 * store. Hand-made (forged, expired, …) files are written with writeListFile.
 */
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import {
  DEV_TOKEN_KEYRING_CONFIG, TokenKeyring, createListVerifiers, encodePayload, generateListSigningKey, topics, writeListFile,
  type ListAnnounce, type ListFileRecord, type ListManifestDraft, type ListSigner,
} from '@rescard/shared';
import { pino } from 'pino';
import { createListService, type ListService } from '../../server/src/lists/index.js';
import { openDeviceDb, type DeviceDb } from '../src/adapters/sqlite/open-device-db.js';
import { SqliteListStore } from '../src/adapters/sqlite/sqlite-list-store.js';
import type { ListMeta, ListName } from '../src/core/model.js';
import { FakeMessageBus } from '../src/ports/fake-message-bus.js';
import { createListSync, type ListSync } from '../src/sync/lists-sync.js';

export const KEY = generateListSigningKey('srv-2025a');
export const ROGUE = generateListSigningKey('srv-2025a'); // same kid, another key: a forger
export const T0 = Date.parse('2025-09-03T12:00:00Z');
export const tok = (i: number | string): string => createHash('sha256').update(`sync-test:${i}`).digest('base64url');
export const SILENT = pino({ level: 'silent' });

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'rescard-sync-'));
}

/** Serves `root` at /cache/lists/<path> (a gateway cache under a path prefix); counts requests. */
export async function fileServer(root: string): Promise<{ server: Server; baseUrl: string; requests: string[] }> {
  const requests: string[] = [];
  const base = resolve(root);
  const server = createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    const path = resolve(join(base, decodeURIComponent(pathname.replace(/^\/cache\/lists\//, ''))));
    requests.push(req.url ?? '');
    const st = path.startsWith(base + sep) ? statSync(path, { throwIfNoEntry: false }) : undefined;
    if (st?.isFile() !== true) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-length': st.size, 'content-type': 'application/x-ndjson' });
    createReadStream(path).pipe(res);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { server, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/cache/`, requests };
}

export interface Rig {
  readonly clock: { now: number; wallMs(): number };
  readonly service: ListService;
  readonly bus: FakeMessageBus;
  readonly store: SqliteListStore;
  readonly sync: ListSync;
  readonly applied: { list: string; version: number; how: string; expiresAtMs: number }[];
  readonly requests: string[];
  /** Where hand-made files go: announced as lists/extra/<name>. */
  readonly extraDir: string;
  /** Publish like the server does (retained, delivered to the device). */
  announce(a: ListAnnounce): void;
  deliver(topic: string, payload: Buffer | string): void;
  writeFile(name: string, draft: ListManifestDraft, records: readonly ListFileRecord[], signer?: ListSigner): Promise<void>;
  meta(list: ListName): ListMeta | undefined;
  settle(): Promise<void>;
  close(): Promise<void>;
}

export async function makeRig(options: { audiences?: string[]; lists?: ListName[] } = {}): Promise<Rig> {
  const dir = tempDir();
  const clock = { now: T0, wallMs: (): number => clock.now };
  const bus = new FakeMessageBus();
  const retained = new Map<string, Buffer>();
  const deliver = (topic: string, payload: Buffer | string): void => bus.deliver(topic, payload);
  const service = await createListService({
    dataDir: join(dir, 'server'), signer: KEY.signer, clock, log: SILENT,
    publish: (topic, payload, o) => {
      if (o.retain) retained.set(topic, payload);
      deliver(topic, payload);
      return Promise.resolve();
    },
  });
  const files = join(dir, 'server', 'lists', 'files');
  const extraDir = join(files, 'extra');
  mkdirSync(extraDir, { recursive: true });
  const http = await fileServer(files);
  const device: DeviceDb = openDeviceDb(join(dir, 'device', 'device.db'));
  const store = new SqliteListStore(device);
  const applied: Rig['applied'] = [];
  mkdirSync(join(dir, 'device', 'tmp'), { recursive: true });
  const sync = createListSync({
    bus, audiences: options.audiences ?? ['region', 'school:S1'], lists: options.lists ?? ['stoplist', 'benefit', 'roster'],
    baseUrl: http.baseUrl, tmpDir: join(dir, 'device', 'tmp'), now: () => clock.now, log: SILENT,
    load: { store, verifiers: createListVerifiers({ [KEY.signer.kid]: KEY.publicKeyPem }), allowDev: false, audiences: options.audiences ?? ['region', 'school:S1'], keyring: TokenKeyring.fromConfig(DEV_TOKEN_KEYRING_CONFIG) },
    onApplied: (m, how) => applied.push({ list: m.list, version: m.version, how, expiresAtMs: m.expiresAtMs }),
    retryMs: 3_600_000,
  });
  await sync.start();
  for (const [topic, payload] of retained) deliver(topic, payload);
  const rig: Rig = {
    clock, service, bus, store, sync, applied, requests: http.requests, extraDir,
    announce: (a) => deliver(topics.list(a.audience, a.list), encodePayload(a)),
    deliver,
    async writeFile(name, draft, records, signer = KEY.signer) {
      await writeListFile(join(extraDir, name), draft, records, signer);
    },
    meta: (list) => store.meta().find((m) => m.list === list),
    async settle() {
      await service.flush();
      await sync.idle();
    },
    async close() {
      sync.stop();
      await service.stop();
      await new Promise((ok) => http.server.close(ok));
      device.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return rig;
}
