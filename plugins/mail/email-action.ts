import type { ActionHandler } from '../types.ts';

export type EmailParams = { template: string; to?: 'participant' | 'referrer'; data?: Record<string, unknown> };

export const emailAction: ActionHandler<EmailParams> = {
  plan(params, ctx) {
    const recipient = params.to === 'referrer' ? ctx.referrer : ctx.participant;
    if (!recipient) return { rewards: [], emails: [], skipped: 'the participant has no referrer' };
    // They used the unsubscribe link; the API can subscribe them again (PUT participant, unsubscribed: false).
    if (recipient.unsubscribed) return { rewards: [], emails: [], skipped: `${params.to === 'referrer' ? 'the referrer' : 'the participant'} unsubscribed from these emails` };
    return {
      rewards: [],
      emails: [
        {
          type: 'email-action',
          template: params.template,
          recipient,
          idempotencyKey: `event:${ctx.event.id}:rule:${ctx.rule.name}:to:${recipient.id}`,
          data: { data: params.data ?? {}, event: ctx.event },
        },
      ],
    };
  },
};
