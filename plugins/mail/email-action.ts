import type { ActionHandler } from '../types.ts';

export type EmailParams = { template: string; to?: 'participant' | 'referrer'; data?: Record<string, unknown> };

export const emailAction: ActionHandler<EmailParams> = {
  plan(params, ctx) {
    const recipient = params.to === 'referrer' ? ctx.referrer : ctx.participant;
    if (!recipient) return { rewards: [], emails: [], skipped: 'the participant has no referrer' };
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
