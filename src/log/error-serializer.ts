import pino from 'pino';

/**
 * Fields an HTTP library's error carries about the exchange: axios puts the request config
 * (headers, Authorization included) under `config`, the socket-level request (its raw header
 * text) under `request`, and the answer under `response`. None of it helps a reader of the log
 * more than the message and code do, and all of it can hold a credential.
 */
const EXCHANGE_FIELDS = ['config', 'request', 'response', 'headers'] as const;

/**
 * pino's error serializer (message and stack with their causes, own fields kept) minus the
 * exchange fields, on the error and on every error nested in its fields or in lists among
 * them (an AggregateError's `errors`). The program turns HTTP failures into SyncErrors without
 * them; this keeps a raw one that slips through from writing a password into a log line.
 */
export function serializeError(err: unknown): unknown {
  const serialized: unknown = pino.stdSerializers.err(err as Error);
  // Only the serializer's own fresh objects are changed, never the error's original fields.
  if (serialized === err || typeof serialized !== 'object' || serialized === null)
    return serialized;
  const proto = Object.getPrototypeOf(serialized) as object;
  const isSerialized = (value: unknown): value is Record<string, unknown> =>
    typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === proto;

  const clean = (record: Record<string, unknown>): void => {
    for (const field of EXCHANGE_FIELDS) delete record[field];
    for (const [key, value] of Object.entries(record)) {
      if (isSerialized(value)) clean(value);
      else if (Array.isArray(value)) record[key] = value.map(cleanItem);
    }
  };
  const cleanItem = (item: unknown): unknown => {
    if (isSerialized(item)) {
      clean(item);
      return item;
    }
    return item instanceof Error ? serializeError(item) : item;
  };

  clean(serialized as Record<string, unknown>);
  return serialized;
}
