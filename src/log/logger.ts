import pino, { type Logger } from 'pino';

/**
 * JSON lines on stdout (or the given destination), one event per line. Header and field names
 * that can carry secrets are redacted wherever they appear in a logged object.
 */
export function createLogger(
  options: { level?: string; destination?: pino.DestinationStream } = {},
): Logger {
  return pino(
    {
      level: options.level ?? process.env['LOG_LEVEL'] ?? 'info',
      base: { service: 'container-sync' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          '*.authorization',
          '*.Authorization',
          '*.password',
          '*.token',
          'headers.authorization',
          'config.headers.Authorization',
        ],
        censor: '[redacted]',
      },
    },
    options.destination,
  );
}
