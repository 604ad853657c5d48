/**
 * Topic ACLs of the embedded broker, as pure decisions on (client id, topic). The client id is
 * the device's identity: the MQTT clientId for now (loopback, plain MQTT); the device id from
 * its certificate once TLS arrives (server-security issue), with the same rules.
 *
 * Publish: a device may publish only its own taps and status (rescard/v1/dev/{self}/taps|status),
 * a gateway only its own (rescard/v1/gw/{self}/taps|status|terminals). Acks, lists and freshness are
 * published by the server alone (in-process, not through this check). Anything else is refused.
 * Subscribe: a client may read its own dev/gw topics and any list or freshness topic; a filter
 * that could match another device's topics (a wildcard at the id level, `#`, `+` at the root)
 * is refused.
 */
import { parseTopic, TOPIC_ROOT } from '@rescard/shared';

export type AclVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: AclRefusal };
export type AclRefusal = 'unknown-topic' | 'client-mismatch' | 'server-only' | 'filter-too-wide';

const OK: AclVerdict = { ok: true };
const refuse = (reason: AclRefusal): AclVerdict => ({ ok: false, reason });

export function mayPublish(clientId: string, topic: string): AclVerdict {
  const t = parseTopic(topic);
  if (t === null) return refuse('unknown-topic');
  switch (t.kind) {
    case 'deviceTaps':
    case 'deviceStatus':
      return t.deviceId === clientId ? OK : refuse('client-mismatch');
    case 'gatewayTaps':
    case 'gatewayStatus':
    case 'gatewayTerminals':
      return t.gatewayId === clientId ? OK : refuse('client-mismatch');
    default:
      return refuse('server-only');
  }
}

export function maySubscribe(clientId: string, filter: string): AclVerdict {
  const parts = filter.split('/');
  const [root, version, area, id] = parts;
  if (root === '#' || root === '+') return refuse('filter-too-wide');
  if (root !== TOPIC_ROOT.split('/')[0]) return OK;
  if (`${root}/${version ?? ''}` !== TOPIC_ROOT) return version === '#' || version === '+' ? refuse('filter-too-wide') : OK;
  if (area === 'lists' || area === 'fresh') return OK;
  if (area === 'dev' || area === 'gw') return id === clientId ? OK : refuse(id === '+' || id === '#' ? 'filter-too-wide' : 'client-mismatch');
  return refuse('filter-too-wide');
}
