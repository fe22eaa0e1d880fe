/**
 * PostgreSQL array literals (`{...}`) built by hand for the set-based statements of hot paths.
 * node-postgres serializes a JS array element by element, quoting and escaping every one with two
 * regular expressions; a flush of thousands of events pays that on every column. These builders
 * quote only text, escape only what needs it, and leave the literal to the server's array input.
 */

const NEEDS_ESCAPE = /["\\]/;
const ESCAPED = /["\\]/g;

/** A `text[]` literal; null elements become NULL. Any string is safe: quotes and backslashes are escaped. */
export function textArrayLiteral(values: readonly (string | null)[]): string {
  let literal = '{';
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (i > 0) literal += ',';
    if (value === null) literal += 'NULL';
    else if (NEEDS_ESCAPE.test(value)) literal += `"${value.replace(ESCAPED, '\\$&')}"`;
    else literal += `"${value}"`;
  }
  return `${literal}}`;
}

/**
 * An array literal of values whose text form needs no quoting: integers, and uuids that the
 * caller has already validated (the server's uuid input still rejects anything else).
 */
export function bareArrayLiteral(values: readonly (number | string)[]): string {
  return `{${values.join(',')}}`;
}
