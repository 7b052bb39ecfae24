import Mail from 'nodemailer/lib/mailer';
import StreamTransport from 'nodemailer/lib/stream-transport';
import { MailDeliveryError, type OutgoingMail } from '../types.ts';
import { isSafeHeaderText, isSingleAddress } from './address.ts';

// nodemailer builds and DKIM-signs the message wherever we run; only its
// socket transports are runtime-bound. Its stream transport hands the signed
// message back as bytes, which the socket-level SMTP client then sends.
// The two subpaths keep nodemailer's SMTP, SES and sendmail code out of bundles.

const composer = new Mail(new StreamTransport({ buffer: true, newline: 'windows' }), { disableFileAccess: true, disableUrlAccess: true });

export type RawMessage = { envelope: { from: string; to: string }; message: string };

export async function buildRawMessage(mail: OutgoingMail): Promise<RawMessage> {
  // Validated upstream; checked again because a second recipient or a header
  // smuggled in here would reach a real mailbox.
  if (!isSingleAddress(mail.to) || !isSingleAddress(mail.from.address) || (mail.replyTo && !isSingleAddress(mail.replyTo))) {
    throw new MailDeliveryError('permanent', 'Message addresses must each be a single mailbox');
  }
  if (![mail.subject, mail.from.name ?? '', mail.messageId].every(isSafeHeaderText)) {
    throw new MailDeliveryError('permanent', 'Message headers must not contain line breaks');
  }
  const info = (await composer.sendMail({
    from: mail.from.name ? { name: mail.from.name, address: mail.from.address } : mail.from.address,
    to: mail.to,
    replyTo: mail.replyTo,
    subject: mail.subject,
    html: mail.html,
    text: mail.text,
    messageId: mail.messageId,
    dkim: mail.dkim ? { domainName: mail.dkim.domainName, keySelector: mail.dkim.keySelector, privateKey: mail.dkim.privateKey } : undefined,
  })) as { message: Uint8Array };
  return { envelope: { from: mail.from.address, to: mail.to }, message: new TextDecoder().decode(info.message) };
}
