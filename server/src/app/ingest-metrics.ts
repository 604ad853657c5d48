/**
 * The ingest on /metrics (prom-client, read at scrape time from the writer and the reject
 * counters; nothing is counted twice here):
 *   rescard_ingest_taps_total{result}        taps received: inserted, duplicate, conflict
 *   rescard_ingest_commits_total{result}     group commits: ok, failed
 *   rescard_ingest_queued_taps               taps received and not yet committed (writer thread)
 *   rescard_ingest_queue_bound_taps          the bound beyond which the broker holds clients back
 *   rescard_ingest_writer_up                 1 while the writer thread runs
 *   rescard_ingest_writer_restarts_total     restarts of the writer thread after it died
 *   rescard_mqtt_rejects_total{kind,reason}  messages refused (bad payload, ACL, connect)
 */
import { Gauge, type Registry } from 'prom-client';
import type { IngestWriter } from '../ports/ingest-writer.js';
import type { Rejects } from './rejects.js';

export function registerIngestMetrics(registry: Registry, writer: IngestWriter, rejects: Rejects): void {
  new Gauge({
    name: 'rescard_ingest_taps_total',
    help: 'Taps received by the server, by result (inserted, duplicate: already stored, conflict: seq reused with another tap id)',
    labelNames: ['result'] as const,
    registers: [registry],
    collect() {
      const s = writer.stats;
      this.set({ result: 'inserted' }, s.inserted);
      this.set({ result: 'duplicate' }, s.duplicates - s.conflicts);
      this.set({ result: 'conflict' }, s.conflicts);
    },
  });
  new Gauge({
    name: 'rescard_ingest_commits_total',
    help: 'Group commits of the tap writer, by result',
    labelNames: ['result'] as const,
    registers: [registry],
    collect() {
      this.set({ result: 'ok' }, writer.stats.commits);
      this.set({ result: 'failed' }, writer.stats.commitFailures);
    },
  });
  new Gauge({
    name: 'rescard_ingest_queued_taps',
    help: 'Taps received and not yet committed',
    registers: [registry],
    collect() {
      this.set(writer.queued?.taps ?? 0);
    },
  });
  new Gauge({
    name: 'rescard_ingest_queue_bound_taps',
    help: 'Queued taps beyond which the broker stops reading from the clients that send more',
    registers: [registry],
    collect() {
      this.set(writer.queued?.boundTaps ?? 0);
    },
  });
  new Gauge({
    name: 'rescard_ingest_writer_up',
    help: '1 while the tap writer thread runs (0: it died and is being restarted)',
    registers: [registry],
    collect() {
      this.set(writer.thread === undefined || writer.thread.up ? 1 : 0);
    },
  });
  new Gauge({
    name: 'rescard_ingest_writer_restarts_total',
    help: 'Restarts of the tap writer thread after it died',
    registers: [registry],
    collect() {
      this.set(writer.thread?.restarts ?? 0);
    },
  });
  new Gauge({
    name: 'rescard_mqtt_rejects_total',
    help: 'MQTT messages and connections refused, by kind and reason',
    labelNames: ['kind', 'reason'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [key, n] of Object.entries(rejects.snapshot())) {
        const i = key.lastIndexOf(':');
        this.set({ kind: key.slice(0, i), reason: key.slice(i + 1) }, n);
      }
    },
  });
}
