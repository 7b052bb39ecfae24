import type { SenderResolver } from '../../plugins/mail/sender.ts';
import { MailDeliveryError } from '../../plugins/types.ts';
import type { ServiceMetrics } from './service-metrics.ts';

/**
 * The dispatcher's senders, each send timed and its result counted. Wrapping
 * here keeps metrics out of the dispatcher and the transports.
 */
export function instrumentSenders(senders: SenderResolver, metrics: ServiceMetrics): SenderResolver {
  return {
    ...senders,
    async senderFor(tenantId) {
      const sender = await senders.senderFor(tenantId);
      const transport = sender.transport;
      return {
        ...sender,
        transport: {
          async send(mail) {
            const started = performance.now();
            try {
              const result = await transport.send(mail);
              metrics.emailAttempt(sender.name, null, (performance.now() - started) / 1000);
              return result;
            } catch (error) {
              metrics.emailAttempt(sender.name, error instanceof MailDeliveryError ? error.kind : 'transient', (performance.now() - started) / 1000);
              throw error;
            }
          },
          close: () => transport.close(),
        },
      };
    },
  };
}
