import { QueryFailedError } from 'typeorm';
import { isConnectionLost, messageOf } from '../../../src/db/connection-lost';
import { SyncError } from '../../../src/errors';

/** A node-postgres server error: a message and the SQLSTATE in `code`. */
function serverError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code, severity: 'FATAL' });
}

function queryFailed(driverError: Error): QueryFailedError {
  return new QueryFailedError('INSERT INTO blob ...', [], driverError);
}

describe('isConnectionLost', () => {
  it.each([
    ['a reset socket', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    [
      'a refused connect',
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    ],
    ['a closed socket, in words', new Error('Connection terminated unexpectedly')],
    ['a pool connect timeout', new Error('timeout exceeded when trying to connect')],
    [
      'a client after its error',
      new Error('Client has encountered a connection error and is not queryable'),
    ],
    [
      'pg_terminate_backend (57P01)',
      serverError('57P01', 'terminating connection due to administrator command'),
    ],
    ['a server starting up (57P03)', serverError('57P03', 'the database system is starting up')],
    ['connection_failure (08006)', serverError('08006', 'connection failure')],
    [
      'a query that failed on a dropped connection',
      queryFailed(new Error('Connection terminated')),
    ],
    [
      'a runner TypeORM released after the error',
      Object.assign(new Error('released'), { name: 'QueryRunnerProviderAlreadyReleasedError' }),
    ],
    [
      'one wrapped as a cause',
      new Error('batch failed', { cause: { code: 'EPIPE', message: 'write EPIPE' } }),
    ],
  ])('is true for %s', (_case, err) => {
    expect(isConnectionLost(err)).toBe(true);
  });

  it.each([
    ['a unique violation (23505)', queryFailed(serverError('23505', 'duplicate key value'))],
    ['a deadlock (40P01)', queryFailed(serverError('40P01', 'deadlock detected'))],
    [
      'a syntax error (42601)',
      queryFailed(serverError('42601', 'syntax error at or near "SELEC"')),
    ],
    ['a program error', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a SyncError of the sync', new SyncError('DIGEST_MISMATCH', 'bytes do not match')],
    ['nothing at all', undefined],
    ['a string', 'Connection'],
  ])('is false for %s', (_case, err) => {
    expect(isConnectionLost(err)).toBe(false);
  });
});

describe('messageOf', () => {
  it('reads the message of an error-like object from another realm, and strings anything else', () => {
    expect(messageOf({ message: 'connect ECONNRESET 127.0.0.1:5432' })).toBe(
      'connect ECONNRESET 127.0.0.1:5432',
    );
    expect(messageOf(new Error('plain'))).toBe('plain');
    expect(messageOf(42)).toBe('42');
  });
});
