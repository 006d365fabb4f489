import { describe, expect, it } from 'vitest';
import { ukLocalOf, utcOfUkLocal } from './rotaModel';

describe('UK time for the shift form', () => {
  it('reads UK wall-clock times as GMT in winter and BST in summer', () => {
    expect(utcOfUkLocal('2026-12-07T08:00')).toBe('2026-12-07T08:00:00.000Z');
    expect(utcOfUkLocal('2026-07-06T08:00')).toBe('2026-07-06T07:00:00.000Z');
  });

  it('takes the first 01:30 at the autumn change and moves a skipped spring time on', () => {
    expect(utcOfUkLocal('2026-10-25T01:30')).toBe('2026-10-25T00:30:00.000Z');  // 01:30 BST, then again GMT
    expect(utcOfUkLocal('2026-03-29T01:30')).toBe('2026-03-29T01:30:00.000Z');  // 02:30 BST: 01:30 never happens
  });

  it('shows an instant on the UK clock, and refuses a malformed time', () => {
    expect(ukLocalOf(Date.parse('2026-10-25T01:30:00Z'))).toBe('2026-10-25T01:30');
    expect(ukLocalOf(Date.parse('2026-10-25T00:30:00Z'))).toBe('2026-10-25T01:30');
    expect(utcOfUkLocal('25/10/2026 01:30')).toBe('');
  });
});
