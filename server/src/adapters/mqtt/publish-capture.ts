/**
 * `--mqtt-capture FILE`: every message the embedded broker handles (from devices, gateways and
 * the server itself: acks, lists, freshness), appended to FILE as NDJSON
 *   {"atMs":…,"clientId":"bus-0001"|null,"topic":"…","qos":1,"retain":false,"payload":"<utf-8>"}
 * for diagnostics and for the tests that search everything a run produced for card numbers.
 * Not for production load: it writes every message. Bounded: while more than `maxBufferedBytes`
 * wait for the disk, further lines are dropped and counted (`dropped`, logged at close) — a
 * capture is a copy, never the data path, so dropping it loses no tap.
 */
import { createWriteStream } from 'node:fs';
import type { Aedes, AedesPublishPacket, Client } from 'aedes';
import type { Logger } from 'pino';

export interface PublishCapture {
  readonly dropped: number;
  close(): Promise<void>;
}

export function capturePublishes(aedes: Aedes, path: string, log: Logger, maxBufferedBytes = 64 * 1024 * 1024): PublishCapture {
  const out = createWriteStream(path, { flags: 'a', mode: 0o600 });
  let dropped = 0;
  out.on('error', (err) => log.error({ path, err: err.message }, 'mqtt capture failed: nothing more is captured'));
  const onPublish = (packet: AedesPublishPacket, client: Client | null): void => {
    if (packet.topic.startsWith('$SYS/') || out.destroyed) return;
    if (out.writableLength > maxBufferedBytes) {
      dropped++;
      return;
    }
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload.toString('utf8') : String(packet.payload);
    out.write(`${JSON.stringify({ atMs: Date.now(), clientId: client?.id ?? null, topic: packet.topic, qos: packet.qos, retain: packet.retain, payload })}\n`);
  };
  aedes.on('publish', onPublish);
  log.warn({ path }, 'capturing every MQTT message to a file (diagnostics)');
  return {
    get dropped() {
      return dropped;
    },
    close: () =>
      new Promise<void>((resolve) => {
        aedes.removeListener('publish', onPublish);
        if (dropped > 0) log.warn({ path, dropped }, 'mqtt capture dropped lines (the disk was behind)');
        if (out.destroyed) resolve();
        else out.end(() => resolve());
      }),
  };
}
