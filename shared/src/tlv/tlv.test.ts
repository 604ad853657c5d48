import { describe, it, expect } from 'vitest';
import { isRescardError } from '../errors.js';
import { fromHex, toHex } from '../hex.js';
import { decodeTlv, encodeTlv, findTag, TLV_MAX_DEPTH, type Tlv, type TlvInput } from './tlv.js';

/** Decoded tree as plain JSON (tags, hex values, children) for exact comparisons. */
function plain(nodes: readonly Tlv[]): unknown[] {
  return nodes.map((n) => (n.children ? { tag: n.tag, children: plain(n.children) } : { tag: n.tag, value: toHex(n.value) }));
}

function malformedReason(hex: string): string {
  try {
    decodeTlv(fromHex(hex));
  } catch (err) {
    if (isRescardError(err, 'TLV_MALFORMED')) return String(err.details['reason']);
    throw err;
  }
  throw new Error(`decoded without error: ${hex}`);
}

// SELECT PPSE answer of the synthetic Mir card (shared/fixtures/emv/mir-synthetic.apdu), SW removed.
const PPSE_FCI_HEX = '6F28840E325041592E5359532E4444463031A516BF0C1361114F07A000000658101050034D4952870101';
const PPSE_FCI_TREE = [
  {
    tag: '6F',
    children: [
      { tag: '84', value: '325041592E5359532E4444463031' },
      {
        tag: 'A5',
        children: [
          {
            tag: 'BF0C',
            children: [
              {
                tag: '61',
                children: [
                  { tag: '4F', value: 'A0000006581010' },
                  { tag: '50', value: '4D4952' },
                  { tag: '87', value: '01' },
                ],
              },
            ],
          },
        ],
      },
    ],
  },
];

function toInput(tree: readonly unknown[]): TlvInput[] {
  return (tree as { tag: string; value?: string; children?: unknown[] }[]).map((n) =>
    n.children ? { tag: n.tag, children: toInput(n.children) } : { tag: n.tag, value: fromHex(n.value ?? '') },
  );
}

describe('PPSE FCI golden vector', () => {
  it('decodes to the expected tree (2-byte BF0C inside A5 inside 6F)', () => {
    expect(plain(decodeTlv(fromHex(PPSE_FCI_HEX)))).toEqual(PPSE_FCI_TREE);
  });

  it('encodes the tree back to the exact bytes', () => {
    expect(toHex(encodeTlv(toInput(PPSE_FCI_TREE)))).toBe(PPSE_FCI_HEX);
  });

  it('finds the Mir AID by depth-first search, tag case-insensitive', () => {
    expect(toHex(findTag(decodeTlv(fromHex(PPSE_FCI_HEX)), 'bf0c')!.value)).toBe('61114F07A000000658101050034D4952870101');
    expect(toHex(findTag(decodeTlv(fromHex(PPSE_FCI_HEX)), '4F')!.value)).toBe('A0000006581010');
    expect(findTag(decodeTlv(fromHex(PPSE_FCI_HEX)), '9F38')).toBeUndefined();
  });
});

describe('multi-byte tags', () => {
  it('reads a 2-byte PDOL tag 9F38 as primitive', () => {
    const [pdol] = decodeTlv(fromHex('9F38189F66049F02069F03069F1A0295055F2A029A039C019F3704'));
    expect(pdol).toMatchObject({ tag: '9F38', constructed: false });
    expect(pdol!.value.length).toBe(0x18);
  });

  it('reads a 3-byte tag (DF8117) whose second byte has b8 set', () => {
    expect(plain(decodeTlv(fromHex('DF81170100')))).toEqual([{ tag: 'DF8117', value: '00' }]);
  });

  it('reads a 4-byte tag and refuses a 5-byte one', () => {
    expect(plain(decodeTlv(fromHex('DF81820301AA')))).toEqual([{ tag: 'DF818203', value: 'AA' }]);
    expect(malformedReason('DF8182838401AA')).toBe('tag too long');
  });
});

describe('long-form lengths', () => {
  it('81 xx carries 128..255 bytes', () => {
    const value = 'AB'.repeat(200);
    const [node] = decodeTlv(fromHex(`5F2081C8${value}`));
    expect(node!.value.length).toBe(200);
    expect(toHex(encodeTlv([{ tag: '5F20', value: fromHex(value) }]))).toBe(`5F2081C8${value}`);
  });

  it('82 xx xx carries 256+ bytes', () => {
    const value = '01'.repeat(300);
    expect(decodeTlv(fromHex(`9F4682012C${value}`))[0]!.value.length).toBe(300);
    expect(toHex(encodeTlv([{ tag: '9F46', value: fromHex(value) }])).slice(0, 10)).toBe('9F4682012C');
  });

  it('accepts a non-minimal long form (81 05) as cards send it', () => {
    expect(plain(decodeTlv(fromHex('5A81050102030405')))).toEqual([{ tag: '5A', value: '0102030405' }]);
  });
});

describe('padding with 00 and FF', () => {
  // girocard-volksbank-de.apdu, READ RECORD 00B2012400: the 70 template holds 19 bytes of TLV
  // then 32 bytes of 00 padding (SW removed).
  const GIROCARD_RECORD =
    '70339F47030100019F480A757271487E0B220C81CB' + '00'.repeat(32);

  it('skips 00 padding inside the girocard record template', () => {
    const [record] = decodeTlv(fromHex(GIROCARD_RECORD));
    expect(plain(record!.children!)).toEqual([
      { tag: '9F47', value: '010001' },
      { tag: '9F48', value: '757271487E0B220C81CB' },
    ]);
  });

  it('skips 00 and FF before, between and after objects', () => {
    expect(plain(decodeTlv(fromHex('00FF5A01010000FF9F080200020000FFFF')))).toEqual([
      { tag: '5A', value: '01' },
      { tag: '9F08', value: '0002' },
    ]);
  });

  it('an input of only padding is an empty list', () => {
    expect(decodeTlv(fromHex('0000FFFF'))).toEqual([]);
    expect(decodeTlv(new Uint8Array(0))).toEqual([]);
  });
});

describe('strict errors: every kind of truncation and malformation is TLV_MALFORMED', () => {
  it.each([
    ['a multi-byte tag cut after its first byte', '9F', 'tag truncated'],
    ['a 3-byte tag cut after two bytes', 'DF81', 'tag truncated'],
    ['a tag with no length byte', '5A', 'length missing'],
    ['a long-form length with no length bytes', '5A81', 'length truncated'],
    ['a long-form length cut short', '5A8201', 'length truncated'],
    ['a value shorter than its length', '5A0401020304'.slice(0, 10), 'value truncated'],
    ['a long-form value cut short', `5F2081C8${'AB'.repeat(199)}`, 'value truncated'],
    ['a child running past its parent', '70035A050102030405', 'value truncated'],
    ['a child tag cut at the parent end', '7001' + '9F' + '0101', 'tag truncated'],
    ['a length of length over 4', '5A850000000001AA', 'length of length over 4'],
    ['the indefinite length form 80', '70805A01010000', 'indefinite length'],
  ])('%s', (_name, hex, reason) => {
    expect(malformedReason(hex)).toBe(reason);
  });

  it(`rejects nesting deeper than ${TLV_MAX_DEPTH} levels`, () => {
    let inner: TlvInput = { tag: '5A', value: fromHex('01') };
    for (let i = 0; i < TLV_MAX_DEPTH + 1; i += 1) inner = { tag: '70', children: [inner] };
    expect(malformedReason(toHex(encodeTlv([inner])))).toBe('nesting too deep');
  });
});

describe('encode', () => {
  it('round-trips a record template with constructed nesting', () => {
    const input: TlvInput[] = [
      { tag: '70', children: [{ tag: '5A', value: fromHex('2200000000000004') }, { tag: 'BF0C', children: [] }] },
      { tag: '9F24', value: Buffer.from('M0010000000000000000000000001', 'latin1') },
    ];
    const bytes = encodeTlv(input);
    expect(toHex(encodeTlv(toInput(plain(decodeTlv(bytes)))))).toBe(toHex(bytes));
    expect(plain(decodeTlv(bytes))[0]).toEqual({
      tag: '70',
      children: [{ tag: '5A', value: '2200000000000004' }, { tag: 'BF0C', children: [] }],
    });
  });

  it('writes a raw value under a constructed tag verbatim', () => {
    expect(toHex(encodeTlv([{ tag: '70', value: fromHex('5A0101') }]))).toBe('70035A0101');
  });

  it.each([
    ['an empty tag', ''],
    ['a padding byte 00', '00'],
    ['a padding byte FF', 'FF'],
    ['a multi-byte tag cut short', '9F'],
    ['a single-byte tag with a stray byte', '5A01'],
    ['a 5-byte tag', 'DF81828384'],
    ['non-hex', 'ZZ'],
  ])('refuses %s as a tag', (_name, tag) => {
    expect(() => encodeTlv([{ tag, value: new Uint8Array(0) }])).toThrowError(
      expect.objectContaining({ code: 'TLV_MALFORMED' }) as Error,
    );
  });

  it('refuses children under a primitive tag', () => {
    expect(() => encodeTlv([{ tag: '5A', children: [] }])).toThrowError(/children under primitive tag 5A/);
  });
});
