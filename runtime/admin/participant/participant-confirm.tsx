/** @jsxImportSource hono/jsx */
import type { Context } from 'hono';
import type { AdminEnv } from '../admin-env.ts';
import { Notice, PostForm } from '../components.tsx';
import { renderPage } from '../render.tsx';
import { randomToken } from '../../security/hashing.ts';
import type { ActionTarget, ParticipantAction } from './participant-actions.ts';
import { participantPath } from './participant-view.tsx';

/**
 * The confirmation step, without script: what will happen, then one button
 * that does it and a link back that does nothing. The form carries an
 * idempotency key minted here, so a double click or a resent form redeems once.
 */
export function renderConfirm(c: Context<AdminEnv>, name: string, action: ParticipantAction, t: ActionTarget) {
  const base = participantPath(t.participant.id);
  return renderPage(
    c,
    { title: 'Confirm', section: 'participants' },
    <section class="card" aria-labelledby="confirm-heading">
      <h2 id="confirm-heading">{action.title(t)}</h2>
      <Notice kind="info">{action.explain(t)}</Notice>
      <PostForm action={`${base}/do`} csrf={c.var.session.csrf}>
        <input type="hidden" name="action" value={name} />
        {t.reward && <input type="hidden" name="rewardId" value={t.reward.id} />}
        {t.email && <input type="hidden" name="emailId" value={t.email.id} />}
        {t.amount && <input type="hidden" name="amount" value={t.amount} />}
        <input type="hidden" name="key" value={randomToken(16)} />
        <div class="actions">
          <button type="submit" class={name === 'cancel-reward' || name === 'unsubscribe' ? 'danger' : undefined}>
            {action.confirm}
          </button>
          <a href={base}>No, go back</a>
        </div>
      </PostForm>
    </section>,
  );
}
