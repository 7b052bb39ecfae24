import type { MailTransport } from '../../types.ts';
import type { SmtpDriver } from '../smtp-driver.ts';
import { parseRelayUrl } from '../relay-url.ts';

/**
 * The built-in sender's relay (BUILTIN_SMTP_URL). The operator configures it,
 * so it skips the tenant-facing SMTP guard; it still verifies certificates.
 */
export function createRelayTransport(driver: SmtpDriver, url: string): MailTransport {
  const target = parseRelayUrl(url);
  return driver.createTransport({
    ...target,
    checked: { address: target.host, servername: target.host },
    allowPlaintextAuth: target.security === 'none',
    pool: true,
  });
}
