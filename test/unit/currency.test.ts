import { currencyExponent, formatMoney, MoneyError, minorToMajor } from '../../src/money/currency';

describe('currencyExponent', () => {
  it.each([
    ['jpy', 0],
    ['krw', 0],
    ['kwd', 3],
    ['bhd', 3],
    ['jod', 3],
    ['omr', 3],
    ['tnd', 3],
    ['usd', 2],
    ['eur', 2],
    ['isk', 2],
  ])('%s has %i decimals', (currency, exponent) => {
    expect(currencyExponent(currency)).toBe(exponent);
  });

  it('accepts upper case', () => {
    expect(currencyExponent('JPY')).toBe(0);
  });

  it.each(['', 'us', 'usdd', 'u$d', '123'])('rejects %j', (currency) => {
    expect(() => currencyExponent(currency)).toThrow(MoneyError);
  });

  it('names the invalid code', () => {
    expect(() => currencyExponent('dollars')).toThrow(/Invalid currency code "dollars"/);
  });
});

describe('minorToMajor', () => {
  it.each([
    [1999, 'usd', '19.99'],
    [5, 'usd', '0.05'],
    [0, 'usd', '0.00'],
    [-1999, 'usd', '-19.99'],
    [-5, 'eur', '-0.05'],
    [5000, 'jpy', '5000'],
    [-5000, 'jpy', '-5000'],
    [12345, 'kwd', '12.345'],
    [7, 'bhd', '0.007'],
    [-12345, 'kwd', '-12.345'],
  ])('%i %s is %s', (amount, currency, expected) => {
    expect(minorToMajor(amount, currency)).toBe(expected);
  });

  it('keeps digits beyond 2^53', () => {
    expect(minorToMajor(12345678901234567891n, 'usd')).toBe('123456789012345678.91');
  });

  it('accepts an int8 string', () => {
    expect(minorToMajor('-250', 'usd')).toBe('-2.50');
  });

  it.each([1.5, Number.NaN, '12.5', 'abc'])('rejects amount %p', (amount) => {
    expect(() => minorToMajor(amount, 'usd')).toThrow(MoneyError);
  });
});

describe('formatMoney', () => {
  it.each([
    [1999, 'usd', 'en-US', '$19.99'],
    [-1999, 'usd', 'en-US', '-$19.99'],
    [5000, 'jpy', 'en-US', '¥5,000'],
    [12345, 'kwd', 'en-US', 'KWD 12.345'],
    [123456, 'eur', 'de-DE', '1.234,56 €'],
    [500, 'isk', 'en-US', 'ISK 5.00'],
  ])('%i %s in %s is %s', (amount, currency, locale, expected) => {
    // Intl separates some currency codes from the number with a no-break space.
    expect(formatMoney(amount, currency, locale).replace(/\u00a0/g, ' ')).toBe(expected);
  });

  it('defaults to en-US', () => {
    expect(formatMoney(100, 'usd')).toBe('$1.00');
  });

  it('rejects an invalid currency', () => {
    expect(() => formatMoney(100, 'us')).toThrow(MoneyError);
  });
});
