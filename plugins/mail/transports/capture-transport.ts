import type { MailTransport, OutgoingMail, SendResult } from '../../types.ts';

// For local runs and tests: nothing leaves the process, and what would have
// been sent can be read back in order.

export type CaptureTransport = MailTransport & {
  /** Every message handed to send(), oldest first. */
  readonly messages: OutgoingMail[];
};

export function createCaptureTransport(): CaptureTransport {
  const messages: OutgoingMail[] = [];
  return {
    messages,
    async send(mail: OutgoingMail): Promise<SendResult> {
      // A copy, so a caller mutating its object later cannot rewrite history.
      messages.push(structuredClone(mail));
      return { response: '250 captured', messageId: mail.messageId };
    },
    async close() {},
  };
}
