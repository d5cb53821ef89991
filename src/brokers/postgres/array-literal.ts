/**
 * A PostgreSQL array literal (`{1,2,NULL}`) of numbers, nulls, and strings that need no quoting
 * (digits, UUIDs): what `pg` would send for a JavaScript array, without the two regular
 * expression replacements per element it runs to quote each one.
 *
 * @param values finite numbers, `null`, or strings of letters, digits and hyphens only.
 */
export function arrayLiteral(values: readonly (number | string | null)[]): string {
  let literal = '{';
  for (let index = 0; index < values.length; index++) {
    const value = values[index];
    literal += (index === 0 ? '' : ',') + (value === null ? 'NULL' : String(value));
  }
  return `${literal}}`;
}
