import { z } from 'zod';

/**
 * How a credential profile is carried by the requests of a step bound to it (`apply` in the job's
 * credentials). The transport adds the header to the step's client, so http.request and any
 * module action get it without code; the header is kept to the baseUrl origin like every
 * credential default (docs/http.md).
 */
export const CredentialApplySchema = z.union([z.literal('bearer'), z.literal('basic'), z.strictObject({ header: z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'a header name') })]);
export type CredentialApply = z.infer<typeof CredentialApplySchema>;

/** The profile fields an apply mode reads. */
export function applyFields(apply: CredentialApply): string[] {
  if (apply === 'bearer') return ['token'];
  if (apply === 'basic') return ['username', 'password'];
  return ['value'];
}

export const describeApply = (apply: CredentialApply) => (typeof apply === 'string' ? `"${apply}"` : `{header: "${apply.header}"}`);

/** The header the step's requests carry, and its name (for the cross-origin rule). */
export function credentialHeader(apply: CredentialApply, values: Record<string, string>): { name: string; value: string } {
  if (apply === 'bearer') return { name: 'authorization', value: `Bearer ${values.token ?? ''}` };
  if (apply === 'basic') return { name: 'authorization', value: `Basic ${Buffer.from(`${values.username ?? ''}:${values.password ?? ''}`).toString('base64')}` };
  return { name: apply.header.toLowerCase(), value: values.value ?? '' };
}
