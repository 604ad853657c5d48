/**
 * ConsoleFeedback: the simulator's and the demo's screen. One line per tap, in Russian first
 * (what the passenger reads), then the English text and the reason code for the operator.
 * Colours only when the output is a terminal. Shows the masked PAN, never more.
 */
import type { Writable } from 'node:stream';
import type { DeviceStatus, FaultFeedback, Feedback, PassageFeedback, TapFeedback } from '../../ports/feedback.js';

const MARK: Record<string, string> = { ALLOW: '✔', DENY: '✖', REPEAT: '↺', NOT_ENROLLED: '•' };
const COLOUR: Record<string, string> = { ALLOW: '32', DENY: '31', REPEAT: '33', NOT_ENROLLED: '36' };

export class ConsoleFeedback implements Feedback {
  private readonly colour: boolean;

  constructor(
    private readonly deviceId: string,
    private readonly out: Writable & { isTTY?: boolean } = process.stdout,
  ) {
    this.colour = out.isTTY === true;
  }

  tap(f: TapFeedback): Promise<void> {
    const mark = MARK[f.outcome] ?? '?';
    const head = this.paint(COLOUR[f.outcome] ?? '0', `${mark} ${f.message.ru}`);
    const dir = f.direction ? ` ${f.direction === 'IN' ? '→ вход' : '← выход'}` : '';
    const mode = f.restricted ? ' [ограниченный режим]' : '';
    const stop = f.stop ? (f.stop.flag === 'OK' ? ` @${f.stop.stopId ?? 'между остановками'}` : ` @GPS:${f.stop.flag}`) : '';
    this.line(`${head}${dir}${mode}${stop}   (${f.message.en}; ${f.reason}; ${f.panMasked}; seq ${f.seq})`);
    return Promise.resolve();
  }

  fault(f: FaultFeedback): Promise<void> {
    this.line(`${this.paint('31', `✖ ${f.message.ru}`)}   (${f.message.en}; ${f.code})`);
    return Promise.resolve();
  }

  passage(f: PassageFeedback): Promise<void> {
    const text = f.passed ? this.paint('32', '  ↳ проход зарегистрирован') : this.paint('33', '  ↳ прохода не было, не учтено');
    this.line(`${text}   (${f.passed ? 'PASSAGE_CONFIRMED' : 'NOT_PASSED'}; seq ${f.seq})`);
    return Promise.resolve();
  }

  status(s: DeviceStatus): Promise<void> {
    const parts: string[] = [];
    if (s.peripheralsOffline) parts.push('турникет/индикатор не на связи');
    if (s.restricted) parts.push(`ограниченный режим: устарели списки ${s.staleLists.join(', ')}`);
    if (s.clockFault) parts.push('сбой часов');
    if (s.journalAlarm) parts.push('журнал заполнен на 80%');
    this.line(this.paint(parts.length ? '33' : '32', `■ ${parts.length ? parts.join('; ') : 'обычный режим'}`));
    return Promise.resolve();
  }

  private paint(code: string, text: string): string {
    return this.colour ? `\u001b[${code}m${text}\u001b[0m` : text;
  }

  private line(text: string): void {
    this.out.write(`[${this.deviceId}] ${text}\n`);
  }
}
