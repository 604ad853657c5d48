/**
 * OSDP text displays take printable ASCII only (6.12): Russian messages are transliterated
 * (ICAO Doc 9303 table, as on Russian passports), anything else non-ASCII becomes '?'.
 */
const TABLE: Readonly<Record<string, string>> = {
  а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', е: 'e', ё: 'e', ж: 'zh', з: 'z', и: 'i', й: 'i', к: 'k', л: 'l', м: 'm',
  н: 'n', о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'kh', ц: 'ts', ч: 'ch', ш: 'sh', щ: 'shch',
  ъ: 'ie', ы: 'y', ь: '', э: 'e', ю: 'iu', я: 'ia', '«': '"', '»': '"', '—': '-', '–': '-', '№': 'N',
};

export function toDisplayAscii(text: string, maxChars: number): string {
  let out = '';
  for (const ch of text) {
    const lower = ch.toLowerCase();
    const mapped = TABLE[lower];
    if (mapped !== undefined) out += ch !== lower && mapped.length > 0 ? mapped[0]!.toUpperCase() + mapped.slice(1) : mapped;
    else out += /^[\x20-\x7e]$/.test(ch) ? ch : '?';
  }
  return out.slice(0, maxChars);
}
