/** Amounts in ServiceSim are pounds sterling, written as plain numbers in scenario files. */
const formatter = new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'GBP' });

export function formatPounds(amount: number): string {
  return Number.isInteger(amount) ? `£${amount}` : formatter.format(amount);
}
