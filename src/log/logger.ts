import pino, { type Logger } from 'pino';
import { serializeError } from './error-serializer';

/**
 * JSON lines on stdout (or the given destination), one event per line. Errors under `err` lose
 * what an HTTP library attaches about the request (see serializeError); header and field names
 * that can carry secrets are redacted where they appear in a logged object.
 */
export function createLogger(
  options: { level?: string; destination?: pino.DestinationStream } = {},
): Logger {
  return pino(
    {
      level: options.level ?? process.env['LOG_LEVEL'] ?? 'info',
      base: { service: 'container-sync' },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: { err: serializeError },
      redact: {
        paths: [
          '*.authorization',
          '*.Authorization',
          '*.password',
          '*.token',
          'headers.authorization',
          'headers.Authorization',
          '*.headers.authorization',
          '*.headers.Authorization',
          'config.headers.Authorization',
        ],
        censor: '[redacted]',
      },
    },
    options.destination,
  );
}
