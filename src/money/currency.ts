/**
 * Money in the ledger is an integer amount in minor units plus a lower-case ISO 4217 currency code,
 * as Stripe sends it. The exponent table below follows Stripe's API, which differs from ISO 4217
 * and from Intl for a few currencies, so all conversion and display goes through it.
 */

/**
 * Currencies whose Stripe amounts have no minor unit. Source: Stripe "Supported currencies"
 * (https://stripe.com/docs/currencies#zero-decimal, checked against the page as archived in June 2022).
 */
const zeroDecimalCurrencies = new Set([
  'bif',
  'clp',
  'djf',
  'gnf',
  'jpy',
  'kmf',
  'krw',
  'mga',
  'pyg',
  'rwf',
  'ugx',
  'vnd',
  'vuv',
  'xaf',
  'xof',
  'xpf',
]);

/**
 * Currencies with three decimals. BHD, JOD, KWD, OMR and TND come from the "Three-decimal currencies"
 * section of https://stripe.com/docs/currencies. IQD and LYD have three decimals in ISO 4217 but are
 * not on Stripe's list.
 */
const threeDecimalCurrencies = new Set(['bhd', 'jod', 'kwd', 'omr', 'tnd', 'iqd', 'lyd']);

// Stripe takes ISK and HUF charge amounts with two decimals although Intl shows ISK with none, so
// formatMoney overrides Intl's fraction digits.
const defaultExponent = 2;

export type CurrencyExponent = 0 | 2 | 3;

/** Error for a currency code or amount that cannot be converted; never worth retrying. */
export class MoneyError extends Error {
  readonly retryable = false;

  constructor(
    readonly code: 'invalid_currency' | 'invalid_amount',
    message: string,
  ) {
    super(message);
    this.name = 'MoneyError';
  }
}

/** Lower-cases a three-letter currency code, or throws MoneyError('invalid_currency'). */
export function normalizeCurrency(currency: string): string {
  if (!/^[A-Za-z]{3}$/.test(currency)) {
    throw new MoneyError(
      'invalid_currency',
      `Invalid currency code ${JSON.stringify(currency)}: expected three ISO 4217 letters such as "usd".`,
    );
  }
  return currency.toLowerCase();
}

/** Number of decimal places in Stripe amounts for the currency. */
export function currencyExponent(currency: string): CurrencyExponent {
  const code = normalizeCurrency(currency);
  if (zeroDecimalCurrencies.has(code)) return 0;
  if (threeDecimalCurrencies.has(code)) return 3;
  return defaultExponent;
}

function toBigInt(amountMinor: number | bigint | string): bigint {
  if (typeof amountMinor === 'bigint') return amountMinor;
  if (typeof amountMinor === 'number' && Number.isSafeInteger(amountMinor)) return BigInt(amountMinor);
  // int8 columns arrive from pg as decimal strings.
  if (typeof amountMinor === 'string' && /^-?\d+$/.test(amountMinor)) return BigInt(amountMinor);
  throw new MoneyError(
    'invalid_amount',
    `Invalid amount ${JSON.stringify(String(amountMinor))}: expected an integer number of minor units.`,
  );
}

/**
 * Converts minor units to an exact decimal string in major units, without floating point:
 * 1999 usd → "19.99", 5000 jpy → "5000", -12345 kwd → "-12.345".
 */
export function minorToMajor(amountMinor: number | bigint | string, currency: string): string {
  const exponent = currencyExponent(currency);
  const amount = toBigInt(amountMinor);
  const sign = amount < 0n ? '-' : '';
  const digits = (amount < 0n ? -amount : amount).toString();
  if (exponent === 0) return `${sign}${digits}`;

  const padded = digits.padStart(exponent + 1, '0');
  const whole = padded.slice(0, padded.length - exponent);
  const fraction = padded.slice(padded.length - exponent);
  return `${sign}${whole}.${fraction}`;
}

/**
 * Formats an amount in minor units for display, e.g. 1999 usd → "$19.99" in en-US. Fraction digits
 * come from currencyExponent, not from Intl, whose table differs for ISK and a few others.
 */
export function formatMoney(
  amountMinor: number | bigint | string,
  currency: string,
  locale = 'en-US',
): string {
  const exponent = currencyExponent(currency);
  const formatter = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency: normalizeCurrency(currency).toUpperCase(),
    minimumFractionDigits: exponent,
    maximumFractionDigits: exponent,
  });
  // Intl formats a decimal string exactly, so amounts beyond 2^53 keep every digit.
  return formatter.format(minorToMajor(amountMinor, currency) as Intl.StringNumericLiteral);
}
