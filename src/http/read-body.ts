import { createHash } from 'node:crypto';
import { DispatchError, EXIT } from '../errors.js';

/** The default for http.maxResponseBytes: far above any API answer, far below what hurts memory. */
export const DEFAULT_MAX_RESPONSE_BYTES = 50 * 1024 * 1024;

/** Bodies larger than this are kept in http.jsonl as a size and a digest, not a second copy. */
export const RECORDED_BODY_MAX_CHARS = 1024 * 1024;

/**
 * Reads a response body as text, counting the bytes fetch hands over, which are already
 * decompressed: a small gzip or brotli "bomb" is stopped at the limit, after reading no more than
 * that, instead of being inflated whole. Exceeding the limit is exit 2 (a retry gets the same body).
 */
export async function readBody(res: Response, limit: number, target: string): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw new DispatchError({
        code: 'HTTP_RESPONSE_TOO_LARGE',
        exitCode: EXIT.USAGE,
        message: `${target}: the response body is larger than ${limit} bytes (counted after decompression); reading stopped there.`,
        hint: 'Ask the API for less (paging, filters), or raise http.maxResponseBytes in the job if the body is expected to be this large.',
        details: { limit, encoding: res.headers.get('content-encoding') ?? undefined },
      });
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks, total));
}

/** What http.jsonl keeps of a body too large to be worth a second copy beside the step's record. */
export function omittedBody(text: string): { bytes: number; sha256: string } {
  return { bytes: Buffer.byteLength(text), sha256: createHash('sha256').update(text).digest('hex') };
}
