import { REDACTED, isSensitiveHeader } from '../output/redact.js';
import type { HttpExchange, TransportOptions } from './types.js';

/** Masks credential headers unconditionally: the recorder must be safe even when no redactor was wired. */
function maskHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = isSensitiveHeader(name) ? REDACTED : value;
  }
  return out;
}

/** Hands one exchange to the recorder, masked first so the redact hook never sees raw credentials. */
export function emitExchange(options: TransportOptions, exchange: HttpExchange): void {
  if (!options.onExchange) return;
  const masked: HttpExchange = {
    ...exchange,
    request: { ...exchange.request, headers: maskHeaders(exchange.request.headers) },
    response: exchange.response && { ...exchange.response, headers: maskHeaders(exchange.response.headers) },
  };
  if (masked.response === undefined) delete masked.response;
  options.onExchange(options.redact ? options.redact(masked) : masked);
}
