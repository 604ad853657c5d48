/**
 * Message check characters (Annex C): CRC-16 with polynomial 0x1021 (x^16 + x^12 + x^5 + 1), not
 * reflected, initial value 0x1D0F, no final XOR (the catalogue name is CRC-16/AUG-CCITT); sent
 * least significant byte first. Checksum mode: the two's complement of the 8-bit sum. Both are
 * tested against the Annex E examples.
 */
const TABLE = buildTable();

function buildTable(): Uint16Array {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i += 1) {
    let crc = i << 8;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[i] = crc;
  }
  return table;
}

export function crc16(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0x1d0f;
  for (let i = start; i < end; i += 1) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ bytes[i]!) & 0xff]!;
  return crc;
}

export function checksum8(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let sum = 0;
  for (let i = start; i < end; i += 1) sum = (sum + bytes[i]!) & 0xff;
  return (0x100 - sum) & 0xff;
}
