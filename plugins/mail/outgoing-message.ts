import type { SendMailOptions } from 'nodemailer';
import { MailDeliveryError, type OutgoingMail } from '../types.ts';
import { isSafeHeaderText, isSingleAddress } from './address.ts';
import type { EmailTable } from '../../runtime/store/database.ts';
import type { Sender } from './sender.ts';
import { fillLinkSecret, type SecretSealer } from './link-secret.ts';

// What every transport does before a message leaves, whichever socket
// carries it (nodemailer's SMTP on Node and Deno, our client on Workers).

/**
 * Validated upstream; checked again at the last moment because a second
 * recipient or a header smuggled in here would reach a real mailbox.
 */
export function assertSendable(mail: OutgoingMail): void {
  if (!isSingleAddress(mail.to) || !isSingleAddress(mail.from.address) || (mail.replyTo && !isSingleAddress(mail.replyTo))) {
    throw new MailDeliveryError('permanent', 'Message addresses must each be a single mailbox');
  }
  if (![mail.subject, mail.from.name ?? '', mail.messageId, mail.listUnsubscribe ?? ''].every(isSafeHeaderText)) {
    throw new MailDeliveryError('permanent', 'Message headers must not contain line breaks');
  }
}

/**
 * The message the dispatcher hands to a transport for an outbox row: the
 * sender's addressing, and the row's content with any sealed link token put
 * in. Built per attempt and never written back.
 */
export async function buildOutgoingMail(email: EmailTable, sender: Sender, secrets?: SecretSealer): Promise<OutgoingMail> {
  const content = await fillLinkSecret(secrets, email);
  return {
    from: sender.from,
    to: email.to_address,
    replyTo: sender.replyTo,
    subject: content.subject,
    html: content.html,
    text: content.text,
    messageId: email.message_id,
    dkim: sender.dkim,
  };
}

/** The message as nodemailer builds (and DKIM-signs) it. */
export function toMailOptions(mail: OutgoingMail): SendMailOptions {
  return {
    from: mail.from.name ? { name: mail.from.name, address: mail.from.address } : mail.from.address,
    to: mail.to,
    replyTo: mail.replyTo,
    subject: mail.subject,
    html: mail.html,
    text: mail.text,
    messageId: mail.messageId,
    ...(mail.listUnsubscribe ? { list: { unsubscribe: { url: mail.listUnsubscribe } }, headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } } : {}),
    dkim: mail.dkim ? { domainName: mail.dkim.domainName, keySelector: mail.dkim.keySelector, privateKey: mail.dkim.privateKey } : undefined,
  };
}
