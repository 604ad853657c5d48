import { describe, expect, it } from 'vitest';
import { REASONS, formatRub, reasonMessage, said } from './reasons.js';

describe('reasons', () => {
  it('formats roubles for the screen', () => {
    expect(formatRub(15000, 'ru')).toBe('150,00 ₽');
    expect(formatRub(15000, 'en')).toBe('150.00 RUB');
    expect(formatRub(5, 'ru')).toBe('0,05 ₽');
    expect(formatRub(150000, 'ru')).toBe('1 500,00 ₽');
    expect(formatRub(123456789, 'en')).toBe('1,234,567.89 RUB');
  });

  it('every reason has a meaning and non-empty Russian and English messages', () => {
    const params = { tripsLeft: 3, percent: 50, payKopecks: 2250, period: 'month', direction: 'IN', remainingKopecks: 100 };
    for (const [code, def] of Object.entries(REASONS)) {
      const m = (def.render as (p: unknown) => { ru: string; en: string })(params);
      expect(def.meaning, code).not.toBe('');
      expect(m.ru.trim(), code).not.toBe('');
      expect(m.en.trim(), code).not.toBe('');
      expect(m.ru, `${code} is Russian`).toMatch(/[а-яё]/i);
    }
  });

  it('renders parameters', () => {
    expect(reasonMessage('STOPLISTED')).toEqual({ ru: 'Карта заблокирована', en: 'Card blocked' });
    expect(reasonMessage('OK_FREE', { tripsLeft: null })).toEqual({ ru: 'Проезд разрешён.', en: 'Ride allowed.' });
    expect(reasonMessage('QUOTA_EXHAUSTED', { period: 'month' }).ru).toBe('Лимит поездок на этот месяц исчерпан');
    expect(said('OK_MEAL', { remainingKopecks: 15000 })).toEqual({
      reason: 'OK_MEAL',
      message: { ru: 'Приятного аппетита! Остаток: 150,00 ₽', en: 'Enjoy your meal! Balance: 150.00 RUB' },
    });
  });
});
