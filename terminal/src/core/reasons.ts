/**
 * The one catalogue of decision reason codes: a stable code, what it means (for operators and
 * docs), and the short message a passenger or student sees (Russian; English for logs and tests).
 *
 * Canteen anonymity: OK_MEAL is the only success reason for free and paid meals alike, and its
 * message shows the remaining allowance either way; Decision.meal.free keeps the truth for the
 * journal only.
 */
import type { Direction } from './model.js';
import type { Message } from './decision.js';

interface ReasonDef<P> {
  readonly meaning: string;
  readonly render: (p: P) => Message;
}

const fixed = (meaning: string, ru: string, en: string): ReasonDef<void> => ({ meaning, render: () => ({ ru, en }) });
const param = <P>(meaning: string, render: (p: P) => Message): ReasonDef<P> => ({ meaning, render });

/**
 * Money for a screen: 15000 → «150,00 ₽» (ru) / "150.00 RUB" (en); 150000 → «1 500,00 ₽».
 * Plain spaces, not NBSP: simple displays render them, and tests can spell them.
 */
export function formatRub(kopecks: number, lang: 'ru' | 'en'): string {
  const sign = kopecks < 0 ? '-' : '';
  const abs = Math.abs(Math.trunc(kopecks));
  const rub = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, lang === 'ru' ? ' ' : ',');
  const kop = String(abs % 100).padStart(2, '0');
  return lang === 'ru' ? `${sign}${rub},${kop} ₽` : `${sign}${rub}.${kop} RUB`;
}

const tripsLeft = (left: number | null): Message =>
  left === null ? { ru: '', en: '' } : { ru: ` Осталось поездок: ${left}`, en: ` Trips left: ${left}` };

const balance = (kopecks: number): Message => ({
  ru: `Остаток: ${formatRub(kopecks, 'ru')}`,
  en: `Balance: ${formatRub(kopecks, 'en')}`,
});

export const REASONS = {
  // common
  STOPLISTED: fixed('the card (PAN or PAR token) is on the stop-list', 'Карта заблокирована', 'Card blocked'),
  CARD_EXPIRED: fixed("the card's expiry month has passed", 'Срок действия карты истёк', 'Card expired'),
  CARD_DATA_INVALID: fixed('the card reported an unusable expiry', 'Карта не читается', 'Card unreadable'),
  DEVICE_NOT_CONFIGURED: fixed(
    'rules or device context do not fit the profile (route, school, direction missing)',
    'Терминал не настроен',
    'Terminal not configured',
  ),
  RESTRICTED_LIMIT: fixed(
    'lists are stale and the restricted-mode limit for the day is reached',
    'Лимит в автономном режиме исчерпан',
    'Offline limit reached',
  ),
  // bus
  OK_FREE: param('free benefit ride counted', (p: { tripsLeft: number | null }) => {
    const t = tripsLeft(p.tripsLeft);
    return { ru: `Проезд разрешён.${t.ru}`, en: `Ride allowed.${t.en}` };
  }),
  OK_DISCOUNT: param(
    'discounted benefit ride counted; the passenger pays the rest at the payment terminal',
    (p: { percent: number; payKopecks: number; tripsLeft: number | null }) => {
      const t = tripsLeft(p.tripsLeft);
      return {
        ru: `Скидка ${p.percent}%. К оплате: ${formatRub(p.payKopecks, 'ru')}.${t.ru}`,
        en: `${p.percent}% discount. To pay: ${formatRub(p.payKopecks, 'en')}.${t.en}`,
      };
    },
  ),
  OK_COMPANION: fixed('a companion counted after the holder\'s ride', 'Сопровождающий: проезд разрешён', 'Companion: ride allowed'),
  REPEAT_RIDE: fixed('a repeat tap: the ride is already counted', 'Поездка уже учтена', 'Already validated'),
  NOT_ENROLLED: fixed('the card is not in the benefit list (recorded, not counted)', 'Оплатите проезд по обычному тарифу', 'Pay the regular fare'),
  BENEFIT_NOT_YET_VALID: fixed('the benefit starts later (validFrom)', 'Льгота ещё не действует', 'Benefit not yet valid'),
  BENEFIT_EXPIRED: fixed('the benefit ended (validTo)', 'Срок льготы истёк', 'Benefit expired'),
  CATEGORY_NOT_ACCEPTED: fixed(
    "the benefit category has no rule in this device's configuration",
    'Льгота здесь не действует. Оплатите проезд',
    'Benefit not accepted here. Pay the fare',
  ),
  QUOTA_EXHAUSTED: param('the trip quota of the period is used up', (p: { period: 'day' | 'week' | 'month' }) => {
    const ru = { day: 'на сегодня', week: 'на эту неделю', month: 'на этот месяц' }[p.period];
    const en = { day: 'for today', week: 'for this week', month: 'for this month' }[p.period];
    return { ru: `Лимит поездок ${ru} исчерпан`, en: `Trip limit ${en} reached` };
  }),
  // gate
  OK_PASSAGE: param('passage counted for attendance', (p: { direction: Direction }) =>
    p.direction === 'IN' ? { ru: 'Проходите', en: 'Welcome' } : { ru: 'До свидания', en: 'Goodbye' },
  ),
  OK_STAFF: param('staff passage under the staff override', (p: { direction: Direction }) =>
    p.direction === 'IN' ? { ru: 'Проходите', en: 'Welcome' } : { ru: 'До свидания', en: 'Goodbye' },
  ),
  PASSAGE_CONFIRMED: fixed('the turnstile sensor confirmed the passage: counted for attendance', 'Проход зарегистрирован', 'Passage recorded'),
  NOT_PASSED: fixed('released, but nobody went through within the time: not counted', 'Проход не совершён', 'Nobody passed'),
  REPEAT_PASSAGE: fixed('a repeat tap: the passage is already counted', 'Проход уже учтён', 'Already registered'),
  NOT_ON_ROSTER: fixed("not on this school's roster", 'Нет доступа', 'No access'),
  ENTRY_NOT_YET_VALID: fixed('the roster or canteen entry starts later (validFrom)', 'Пропуск ещё не действует', 'Pass not yet valid'),
  ENTRY_EXPIRED: fixed('the roster or canteen entry ended (validTo)', 'Срок действия пропуска истёк', 'Pass expired'),
  HOLIDAY: fixed('entry on a holiday of the school calendar', 'Сегодня выходной', 'Closed today'),
  OUTSIDE_SCHEDULE: fixed("entry outside the role's schedule", 'Вход сейчас закрыт', 'Entry closed now'),
  ANTI_PASSBACK: fixed('a second entry without an exit since the nightly reset', 'Вы уже вошли', 'Already inside'),
  // canteen
  OK_MEAL: param('meal served (free or paid: the same message, anonymity)', (p: { remainingKopecks: number }) => {
    const b = balance(p.remainingKopecks);
    return { ru: `Приятного аппетита! ${b.ru}`, en: `Enjoy your meal! ${b.en}` };
  }),
  ALREADY_SERVED: fixed('a meal was already served in this window today', 'Питание уже получено', 'Meal already served'),
  OUTSIDE_MEAL_WINDOW: fixed('no meal window at this time', 'Сейчас нет выдачи питания', 'No meal service now'),
  NO_MEAL_ACCOUNT: fixed('not on the canteen list (no entitlement, no allowance)', 'Нет питания по карте', 'No meal account'),
  INSUFFICIENT_ALLOWANCE: param("the meal costs more than today's remaining allowance", (p: { remainingKopecks: number }) => {
    const b = balance(p.remainingKopecks);
    return { ru: `Недостаточно средств. ${b.ru}`, en: `Insufficient balance. ${b.en}` };
  }),
} as const;

export type ReasonCode = keyof typeof REASONS;
export type ReasonParams<C extends ReasonCode> = (typeof REASONS)[C] extends ReasonDef<infer P> ? P : never;

/** The screen message of a reason: `reasonMessage('STOPLISTED')`, `reasonMessage('OK_MEAL', { remainingKopecks })`. */
export function reasonMessage<C extends ReasonCode>(
  code: C,
  ...params: ReasonParams<C> extends void ? [] : [ReasonParams<C>]
): Message {
  const def = REASONS[code] as ReasonDef<unknown>;
  return def.render(params[0]);
}

/** A reason with its rendered message, ready for a Decision. */
export interface Said {
  readonly reason: ReasonCode;
  readonly message: Message;
}

export function said<C extends ReasonCode>(code: C, ...params: ReasonParams<C> extends void ? [] : [ReasonParams<C>]): Said {
  return { reason: code, message: reasonMessage(code, ...params) };
}
