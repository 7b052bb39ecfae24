import type { MailDeliveryError } from '../types.ts';

// Whether a permanent failure says the recipient's mailbox itself is bad (so
// no later email can reach it) rather than that this message was refused
// (spam, policy, size, a sender problem). Only the first kind may put an
// address on the suppression list: suppressing on a policy refusal would
// silence a mailbox over one message.

/** RFC 3463 enhanced status codes about the destination mailbox or address. */
const RECIPIENT_STATUS = new Set(['5.1.1', '5.1.2', '5.1.3', '5.1.6', '5.1.10', '5.2.1']);
/** Reply codes that mean "no such mailbox" when the server gives no enhanced code (RFC 5321 4.2.2). */
const RECIPIENT_REPLIES = new Set([550, 553]);
const RECIPIENT_TEXT = /user unknown|unknown user|no such (user|mailbox|recipient|address)|mailbox (unavailable|not found|does not exist|disabled)|recipient (address )?(rejected|unknown|not found|invalid)|address (rejected|does not exist|not found)|invalid (recipient|mailbox|address)|does not exist|account (disabled|has been disabled)/i;

/** The server's answer when it rejected the recipient, else null. */
export function recipientRejection(failure: MailDeliveryError): string | null {
  if (failure.kind !== 'permanent') return null;
  const text = failure.response ?? failure.message;
  const code = failure.responseCode ?? Number(/^(\d{3})\b/.exec(text)?.[1] ?? 0);
  const enhanced = /^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})\b/.exec(text)?.[1] ?? /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(text)?.[1];
  // An enhanced code is the server being precise: believe it over the wording.
  if (enhanced) return RECIPIENT_STATUS.has(enhanced) ? text : null;
  // 551 is "user not local" by definition; 550 and 553 also mean policy and syntax refusals, so their wording decides.
  if (code === 551) return text;
  return RECIPIENT_REPLIES.has(code) && RECIPIENT_TEXT.test(text) ? text : null;
}
