import { describe, expect, it } from 'vitest';
import { arrayLiteral } from './array-literal.js';

describe('arrayLiteral', () => {
  it('writes numbers, nulls and unquoted strings as a PostgreSQL array literal', () => {
    expect(arrayLiteral([])).toBe('{}');
    expect(arrayLiteral([1, null, 2.5, -3, 1e300])).toBe('{1,NULL,2.5,-3,1e+300}');
    expect(arrayLiteral(['12', '0f8fad5b-d9cb-469f-a165-70867728950e'])).toBe('{12,0f8fad5b-d9cb-469f-a165-70867728950e}');
  });
});
