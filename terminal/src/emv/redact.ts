/**
 * APDU responses carry the PAN (5A, 57, 9F6B, 56), the cardholder name (5F20) and the PAR
 * (9F24). Trace logs show responses only through this function: sensitive values are replaced
 * by their length, everything else stays in hex. A response that is not valid TLV is shown as
 * length and status word only, since we cannot know what is in it.
 */
import { decodeTlv, toHex, type Tlv } from '@rescard/shared';

const SENSITIVE_TAGS = new Set(['5A', '57', '56', '9F6B', '5F20', '9F24', '9F0B', '9F1F', '9F20']);

function describe(node: Tlv): string {
  if (SENSITIVE_TAGS.has(node.tag)) return `${node.tag}[${node.value.length} bytes redacted]`;
  if (node.children) return `${node.tag}{${node.children.map(describe).join(' ')}}`;
  return `${node.tag}=${toHex(node.value)}`;
}

export function redactResponse(response: Buffer): string {
  if (response.length < 2) return `len=${response.length}`;
  const data = response.subarray(0, response.length - 2);
  const sw = toHex(response.subarray(response.length - 2));
  try {
    return `${decodeTlv(data).map(describe).join(' ')} sw=${sw}`.trim();
  } catch {
    return `[${data.length} bytes, not TLV] sw=${sw}`;
  }
}
