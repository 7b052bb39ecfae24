import type { MailTransport, OutgoingMail, SendResult } from '../../types.ts';

// For local runs and tests: nothing leaves the process, and what would have
// been sent can be read back in order.

export type CaptureTransport = MailTransport & {
  /** The messages handed to send(), oldest first (the last `keep` of them). */
  readonly messages: OutgoingMail[];
};

/**
 * `keep` bounds what stays in memory: a long-running server that captures
 * (local use, MAIL_CAPTURE) keeps only the newest messages here; every email
 * is in the email log anyway.
 */
export function createCaptureTransport(o: { keep?: number } = {}): CaptureTransport {
  const keep = o.keep ?? Number.POSITIVE_INFINITY;
  const messages: OutgoingMail[] = [];
  return {
    messages,
    async send(mail: OutgoingMail): Promise<SendResult> {
      // A copy, so a caller mutating its object later cannot rewrite history.
      messages.push(structuredClone(mail));
      if (messages.length > keep) messages.splice(0, messages.length - keep);
      return { response: '250 captured', messageId: mail.messageId };
    },
    async close() {},
  };
}
