import type { SenderResolver } from '../../plugins/mail/sender.ts';
import type { ServiceParts } from '../services.ts';
import { findTenant } from '../store/tenant-queries.ts';

/**
 * Chooses who carries a tenant's mail. The built-in sender writes From the
 * operator's MAIL_FROM with the tenant's name shown, so recipients see who
 * the mail is from without the operator's domain vouching for another one.
 */
export function createSenderResolver(parts: ServiceParts): SenderResolver {
  return {
    async senderFor(tenantId) {
      const tenant = await findTenant(parts.store.db, tenantId);
      return {
        name: 'builtin',
        transport: parts.builtinTransport,
        from: { name: tenant?.name, address: parts.config.MAIL_FROM },
      };
    },
  };
}
