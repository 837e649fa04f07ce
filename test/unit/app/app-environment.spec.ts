import { readAppEnvironment } from '../../../src/app/app-environment';

describe('readAppEnvironment: DATABASE_RETRY_WINDOW', () => {
  it.each([
    ['30s', 30_000],
    ['2m', 120_000],
    ['45', 45_000],
    ['0', 0],
    ['0s', 0],
  ])('reads %j as %i ms', (value, ms) => {
    expect(readAppEnvironment({ DATABASE_RETRY_WINDOW: value }).databaseRetryMs).toBe(ms);
  });

  it('leaves it unset when the variable is unset or empty (the default applies)', () => {
    expect(readAppEnvironment({})).not.toHaveProperty('databaseRetryMs');
    expect(readAppEnvironment({ DATABASE_RETRY_WINDOW: '' })).not.toHaveProperty('databaseRetryMs');
  });

  it('refuses anything else, naming the variable', () => {
    expect(() => readAppEnvironment({ DATABASE_RETRY_WINDOW: 'soon' })).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        message:
          'DATABASE_RETRY_WINDOW: expected a duration such as "30s", "15m", "1h" or "1d", or a ' +
          'whole number of seconds, from 1s to 24d, or 0; got "soon"',
      }),
    );
  });
});
