/**
 * The data an EmvCardModel is built from. Values are hex strings so profiles read like the
 * EMV specifications; card data derived from the PAN (57, 5A, 5F24, 5F34, 9F24) is computed by
 * the model, so `--pan` changes every place the PAN appears.
 */

/** One record in a short file: the tags it carries, in order, wrapped in a 70 template. */
export interface EmvRecord {
  /** Short file identifier, 1-30. */
  readonly sfi: number;
  /** Record number, 1-254. */
  readonly record: number;
  readonly tags: readonly string[];
}

export interface EmvApplication {
  /** Application identifier, hex (e.g. "A0000006581010"). */
  readonly aid: string;
  /** Application label (tag 50), ASCII. */
  readonly label: string;
  /** Application priority indicator (tag 87), 1 = highest. */
  readonly priority: number;
  /** Processing options data object list (tag 9F38) as hex; "" when the card asks for nothing. */
  readonly pdol: string;
  /** Application interchange profile (tag 82), 2 bytes hex. */
  readonly aip: string;
  /** Application file locator (tag 94) as hex; derived from `records` when absent. */
  readonly afl?: string;
  /** GET PROCESSING OPTIONS response: format 1 (tag 80: AIP|AFL) or format 2 (tag 77 template). */
  readonly gpoFormat: 1 | 2;
  /** Format 2 only: tags to add after 82 and 94 (qVSDC puts 57, 5F34, 9F26, ... here). */
  readonly gpoTags?: readonly string[];
  readonly records: readonly EmvRecord[];
  /** Static data elements (tag -> hex value) used by records, the GPO response and GET DATA. */
  readonly data?: Readonly<Record<string, string>>;
}

export interface EmvProfile {
  /** Primary account number, 12-19 digits. Test PANs only. */
  readonly pan: string;
  /** Application expiration date, YYMMDD (tag 5F24). */
  readonly expiry: string;
  /** PAN sequence number (tag 5F34), 0-99. */
  readonly psn: number;
  /** Payment account reference (tag 9F24), 29 ASCII characters, when the card has one. */
  readonly par?: string;
  readonly applications: readonly EmvApplication[];
  /** ATR override; the contactless default otherwise. */
  readonly atr?: Buffer;
}
