/**
 * Defence in depth for text the CLI prints about failures (its own messages, commander's usage
 * errors, the server's messages): any run of 12-19 digits, maybe split by spaces or dashes, is
 * shown as a masked PAN (first 6, last 4). Data output (tables, JSON) is not passed through this:
 * the server never sends PANs, and timestamps there would be mangled.
 */
const CARD_NUMBER_LIKE = /\d(?:[ -]?\d){11,18}/g;

export function redactCardNumbers(text: string): string {
  return text.replace(CARD_NUMBER_LIKE, (run) => {
    const digits = run.replace(/[ -]/g, '');
    if (digits.length < 12 || digits.length > 19) return run;
    return `${digits.slice(0, 6)}${'*'.repeat(digits.length - 10)}${digits.slice(-4)}`;
  });
}
