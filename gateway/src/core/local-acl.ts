/**
 * Topic ACL of the gateway's local broker, as pure decisions on (client id, topic). The same
 * rules as the server's broker, seen from a terminal: a terminal may publish only its own taps
 * and status (rescard/v1/dev/{self}/taps|status, its last will included), and may subscribe to
 * its own dev topics and to any list or freshness topic. Acks, lists and freshness are published
 * by the gateway in-process (not checked here). So one terminal can neither forge another's taps
 * nor plant a retained list announcement for its neighbours.
 */
import { parseTopic, TOPIC_ROOT } from '@rescard/shared';

export type LocalAclVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: LocalAclRefusal };
export type LocalAclRefusal = 'unknown-topic' | 'client-mismatch' | 'gateway-only' | 'filter-too-wide';

const OK: LocalAclVerdict = { ok: true };
const refuse = (reason: LocalAclRefusal): LocalAclVerdict => ({ ok: false, reason });

export function terminalMayPublish(clientId: string, topic: string): LocalAclVerdict {
  const t = parseTopic(topic);
  if (t === null) return refuse('unknown-topic');
  if (t.kind === 'deviceTaps' || t.kind === 'deviceStatus') return t.deviceId === clientId ? OK : refuse('client-mismatch');
  return refuse('gateway-only');
}

export function terminalMaySubscribe(clientId: string, filter: string): LocalAclVerdict {
  const [root, version, area, id, ...rest] = filter.split('/');
  if (root === '#' || root === '+' || version === '#' || version === '+') return refuse('filter-too-wide');
  if (`${root}/${version ?? ''}` !== TOPIC_ROOT) return refuse('unknown-topic');
  if (area === 'lists' || area === 'fresh') return OK;
  if (area === 'dev' && id === clientId && rest.length === 1 && rest[0] !== '#') return OK;
  if (area === 'dev') return refuse(id === '+' || id === '#' ? 'filter-too-wide' : 'client-mismatch');
  return refuse('filter-too-wide');
}
