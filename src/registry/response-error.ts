import { z } from 'zod';
import { SyncError, type ErrorCode, type ErrorData } from '../errors';
import type { HttpRequest, HttpResponse } from './http-types';
import { readBody } from './read-body';
import { safeUrl } from './safe-url';

/** Enough of an error body to read its codes; anything longer is not an error document. */
const ERROR_BODY_CAP = 64 * 1024;

/** distribution-spec/spec.md, "Error Codes": `{"errors": [{"code", "message", "detail"}]}`. */
const RegistryErrorsSchema = z.object({
  errors: z.array(z.object({ code: z.string(), message: z.string().optional() })),
});

/**
 * A SyncError for a response whose status the caller did not expect. The code follows the
 * status; the message adds the registry's own error codes (e.g. `MANIFEST_UNKNOWN`), never the
 * raw body. Reads (and so releases) the body.
 */
export async function responseError(
  request: HttpRequest,
  response: HttpResponse,
  what: string,
): Promise<SyncError> {
  const detail = await registryErrorText(response);
  const data: ErrorData = {
    ...request.context,
    url: safeUrl(response.url),
    status: response.status,
  };
  const suffix = detail ? `: ${detail}` : '';
  return new SyncError(codeFor(response.status), `${what}: HTTP ${response.status}${suffix}`, data);
}

function codeFor(status: number): ErrorCode {
  if (status === 401 || status === 403) return 'AUTH_FAILED';
  if (status === 404) return 'NOT_FOUND';
  if (status === 429) return 'RATE_LIMITED';
  return 'REGISTRY_ERROR';
}

async function registryErrorText(response: HttpResponse): Promise<string | undefined> {
  let bytes: Buffer | undefined;
  try {
    bytes = await readBody(response.body, ERROR_BODY_CAP);
  } catch {
    return undefined; // The status already says what went wrong; a broken body adds nothing.
  }
  if (!bytes?.length) return undefined;
  try {
    const parsed = RegistryErrorsSchema.safeParse(JSON.parse(bytes.toString('utf8')));
    if (!parsed.success) return undefined;
    const text = parsed.data.errors.map((e) => [e.code, e.message].filter(Boolean).join(' '));
    return text.join('; ').slice(0, 300);
  } catch {
    return undefined;
  }
}
