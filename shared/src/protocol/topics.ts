/**
 * MQTT topics of protocol v1. Topics are built and parsed only here: no other file writes a
 * topic string. Ids are restricted to [A-Za-z0-9._-] (and audiences to region | school:<id>),
 * so a topic can never contain MQTT wildcards or extra levels.
 *
 *   rescard/v1/dev/{deviceId}/taps        device → hop     tap batches (QoS 1)
 *   rescard/v1/dev/{deviceId}/ack         hop → device     "committed up to seq N" (QoS 1)
 *   rescard/v1/dev/{deviceId}/status      device → server  heartbeat, retained; last will: offline
 *   rescard/v1/gw/{gatewayId}/taps        gateway → server forwarded batches of its terminals
 *   rescard/v1/gw/{gatewayId}/ack         server → gateway
 *   rescard/v1/gw/{gatewayId}/status      gateway → server heartbeat with its terminals, retained
 *   rescard/v1/gw/{gatewayId}/terminals   gateway → server its terminals' latest statuses (QoS 1)
 *   rescard/v1/lists/{audience}/{list}    server → devices list announcements, retained
 *   rescard/v1/fresh/{audience}           server → devices signed freshness, retained
 */
import { RescardError } from '../errors.js';

export const PROTOCOL_VERSION = 1;
export const TOPIC_ROOT = `rescard/v${PROTOCOL_VERSION}`;

const ID = /^[A-Za-z0-9._-]{1,64}$/;
const AUDIENCE = /^(region|school:[A-Za-z0-9._-]{1,64})$/;
const LISTS = ['benefit', 'stoplist', 'roster', 'canteen'] as const;
export type ProtocolListName = (typeof LISTS)[number];

function id(kind: string, value: string): string {
  if (!ID.test(value)) throw new RescardError('PROTOCOL_INVALID', `${kind} "${value.slice(0, 70)}" is not 1-64 of A-Z a-z 0-9 . _ -`, { kind });
  return value;
}

function audience(value: string): string {
  if (!AUDIENCE.test(value)) throw new RescardError('PROTOCOL_INVALID', `audience "${value.slice(0, 80)}" is not region or school:<id>`, {});
  return value;
}

export const topics = {
  deviceTaps: (deviceId: string): string => `${TOPIC_ROOT}/dev/${id('deviceId', deviceId)}/taps`,
  deviceAck: (deviceId: string): string => `${TOPIC_ROOT}/dev/${id('deviceId', deviceId)}/ack`,
  deviceStatus: (deviceId: string): string => `${TOPIC_ROOT}/dev/${id('deviceId', deviceId)}/status`,
  gatewayTaps: (gatewayId: string): string => `${TOPIC_ROOT}/gw/${id('gatewayId', gatewayId)}/taps`,
  gatewayAck: (gatewayId: string): string => `${TOPIC_ROOT}/gw/${id('gatewayId', gatewayId)}/ack`,
  gatewayStatus: (gatewayId: string): string => `${TOPIC_ROOT}/gw/${id('gatewayId', gatewayId)}/status`,
  gatewayTerminals: (gatewayId: string): string => `${TOPIC_ROOT}/gw/${id('gatewayId', gatewayId)}/terminals`,
  list: (aud: string, list: ProtocolListName): string => `${TOPIC_ROOT}/lists/${audience(aud)}/${list}`,
  freshness: (aud: string): string => `${TOPIC_ROOT}/fresh/${audience(aud)}`,
  /** Subscription filters. */
  allDeviceTaps: `${TOPIC_ROOT}/dev/+/taps`,
  allDeviceStatus: `${TOPIC_ROOT}/dev/+/status`,
  allGatewayTaps: `${TOPIC_ROOT}/gw/+/taps`,
  allGatewayStatus: `${TOPIC_ROOT}/gw/+/status`,
  allGatewayTerminals: `${TOPIC_ROOT}/gw/+/terminals`,
  audienceLists: (aud: string): string => `${TOPIC_ROOT}/lists/${audience(aud)}/+`,
} as const;

export type ParsedTopic =
  | { readonly kind: 'deviceTaps' | 'deviceAck' | 'deviceStatus'; readonly deviceId: string }
  | { readonly kind: 'gatewayTaps' | 'gatewayAck' | 'gatewayStatus' | 'gatewayTerminals'; readonly gatewayId: string }
  | { readonly kind: 'list'; readonly audience: string; readonly list: ProtocolListName }
  | { readonly kind: 'freshness'; readonly audience: string };

/** The inverse of `topics`: null for anything that is not a v1 topic we know. */
export function parseTopic(topic: string): ParsedTopic | null {
  const parts = topic.split('/');
  if (parts.length < 3 || `${parts[0]}/${parts[1]}` !== TOPIC_ROOT) return null;
  const [, , area, a, b] = parts;
  if (area === 'dev' && parts.length === 5 && a && ID.test(a)) {
    const kind = ({ taps: 'deviceTaps', ack: 'deviceAck', status: 'deviceStatus' } as const)[b as 'taps' | 'ack' | 'status'];
    return kind ? { kind, deviceId: a } : null;
  }
  if (area === 'gw' && parts.length === 5 && a && ID.test(a)) {
    const kind = ({ taps: 'gatewayTaps', ack: 'gatewayAck', status: 'gatewayStatus', terminals: 'gatewayTerminals' } as const)[b as 'taps' | 'ack' | 'status' | 'terminals'];
    return kind ? { kind, gatewayId: a } : null;
  }
  if (area === 'lists' && parts.length === 5 && a && AUDIENCE.test(a) && (LISTS as readonly string[]).includes(b ?? '')) {
    return { kind: 'list', audience: a, list: b as ProtocolListName };
  }
  if (area === 'fresh' && parts.length === 4 && a && AUDIENCE.test(a)) return { kind: 'freshness', audience: a };
  return null;
}
