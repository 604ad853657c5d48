/**
 * One OSDP packet (5.9, Table 1): SOM, ADDR, LEN (LSB first, the whole packet), CTRL, optional
 * security control block (Annex D), CMND/REPLY, DATA, MAC (4 bytes, only with SCS_15..SCS_18),
 * then CRC-16 (2 bytes, LSB first) or an 8-bit checksum (Annex C). Pure.
 */
import { checksum8, crc16 } from './check.js';
import { BROADCAST_ADDRESS, CTRL, MAX_PACKET_BYTES, MIN_PACKET_BYTES, REPLY_FLAG, SCS, SOM } from './codes.js';
import { OsdpError } from './osdp-error.js';

export interface SecurityBlock {
  /** SEC_BLK_TYPE: SCS_11 .. SCS_18. */
  readonly type: number;
  /** SEC_BLK_DATA: 1 byte for SCS_11..14 (key in use / result), none for SCS_15..18. */
  readonly data: Buffer;
}

export interface OsdpFrame {
  /** PD address 0x00-0x7E, or 0x7F (configuration/broadcast); without the reply flag. */
  readonly address: number;
  readonly isReply: boolean;
  readonly sqn: number;
  readonly useCrc: boolean;
  readonly scb?: SecurityBlock;
  readonly code: number;
  readonly data: Buffer;
  /** The first 4 bytes of the MAC (Annex D); present exactly when scb.type is SCS_15..SCS_18. */
  readonly mac?: Buffer;
}

/** A frame as read from the wire: also carries the packet, so its MAC can be checked. */
export interface DecodedFrame extends OsdpFrame {
  readonly packet: Buffer;
}

export const MAC_BYTES = 4;

export function carriesMac(scb: SecurityBlock | undefined): boolean {
  return scb !== undefined && scb.type >= SCS.CMD_MAC && scb.type <= SCS.REPLY_MAC_ENC;
}

function invalid(message: string, details: Record<string, unknown> = {}): OsdpError {
  return new OsdpError('OSDP_FRAME_INVALID', message, details);
}

/**
 * The bytes the MAC covers (Annex D): from SOM up to, not including, the MAC, with LEN already
 * counting the MAC and the check characters.
 */
export function macInput(frame: OsdpFrame): Buffer {
  if (frame.address < 0 || frame.address > BROADCAST_ADDRESS) throw invalid('address out of range', { address: frame.address });
  if (frame.sqn < 0 || frame.sqn > 3) throw invalid('sequence number out of range', { sqn: frame.sqn });
  if ((frame.mac !== undefined) !== carriesMac(frame.scb)) throw invalid('a MAC goes with SCS_15..SCS_18 and only with them');
  const scbBytes = frame.scb === undefined ? 0 : 2 + frame.scb.data.length;
  const length = 5 + scbBytes + 1 + frame.data.length + (frame.mac === undefined ? 0 : MAC_BYTES) + (frame.useCrc ? 2 : 1);
  if (length > MAX_PACKET_BYTES) throw invalid('packet longer than 1440 bytes (5.6)', { length });
  const head = Buffer.alloc(5 + scbBytes + 1);
  head[0] = SOM;
  head[1] = frame.address | (frame.isReply ? REPLY_FLAG : 0);
  head.writeUInt16LE(length, 2);
  head[4] = frame.sqn | (frame.useCrc ? CTRL.CRC : 0) | (frame.scb === undefined ? 0 : CTRL.SCB);
  if (frame.scb !== undefined) {
    head[5] = scbBytes;
    head[6] = frame.scb.type;
    frame.scb.data.copy(head, 7);
  }
  head[head.length - 1] = frame.code;
  return Buffer.concat([head, frame.data]);
}

export function encodeFrame(frame: OsdpFrame): Buffer {
  if (frame.mac !== undefined && frame.mac.length < MAC_BYTES) throw invalid('MAC shorter than 4 bytes');
  const body = frame.mac === undefined ? macInput(frame) : Buffer.concat([macInput(frame), frame.mac.subarray(0, MAC_BYTES)]);
  const check = Buffer.alloc(frame.useCrc ? 2 : 1);
  if (frame.useCrc) check.writeUInt16LE(crc16(body));
  else check[0] = checksum8(body);
  return Buffer.concat([body, check]);
}

/** Decode one complete packet (exactly LEN bytes). Throws OSDP_FRAME_INVALID. */
export function decodeFrame(packet: Buffer): DecodedFrame {
  if (packet.length < MIN_PACKET_BYTES || packet[0] !== SOM) throw invalid('not an OSDP packet', { length: packet.length });
  const length = packet.readUInt16LE(2);
  if (length !== packet.length) throw invalid('LEN does not match the packet', { length, received: packet.length });
  const ctrl = packet[4]!;
  const useCrc = (ctrl & CTRL.CRC) !== 0;
  const end = packet.length - (useCrc ? 2 : 1);
  const expected = useCrc ? crc16(packet, 0, end) : checksum8(packet, 0, end);
  const received = useCrc ? packet.readUInt16LE(end) : packet[end]!;
  if (expected !== received) throw invalid('check character mismatch', { expected, received });
  let offset = 5;
  let scb: SecurityBlock | undefined;
  if ((ctrl & CTRL.SCB) !== 0) {
    const scbLength = packet[5]!;
    if (scbLength < 2 || 5 + scbLength >= end) throw invalid('security block length out of range', { scbLength });
    scb = { type: packet[6]!, data: Buffer.from(packet.subarray(7, 5 + scbLength)) };
    offset = 5 + scbLength;
  }
  const macBytes = carriesMac(scb) ? MAC_BYTES : 0;
  if (offset + 1 + macBytes > end) throw invalid('packet too short for its blocks', { length });
  const frame: DecodedFrame = {
    address: packet[1]! & 0x7f,
    isReply: (packet[1]! & REPLY_FLAG) !== 0,
    sqn: ctrl & CTRL.SQN_MASK,
    useCrc,
    code: packet[offset]!,
    data: Buffer.from(packet.subarray(offset + 1, end - macBytes)),
    packet,
    ...(scb === undefined ? {} : { scb }),
    ...(macBytes === 0 ? {} : { mac: Buffer.from(packet.subarray(end - macBytes, end)) }),
  };
  return frame;
}

/** The MAC input of a received packet (everything before the MAC). */
export function receivedMacInput(frame: DecodedFrame): Buffer {
  return frame.packet.subarray(0, frame.packet.length - (frame.useCrc ? 2 : 1) - MAC_BYTES);
}
