import Mail from 'nodemailer/lib/mailer';
import StreamTransport from 'nodemailer/lib/stream-transport';
import type { OutgoingMail } from '../types.ts';
import { assertSendable, toMailOptions } from './outgoing-message.ts';

// nodemailer builds and DKIM-signs the message wherever we run; only its
// socket transports are runtime-bound. Its stream transport hands the signed
// message back as bytes, which the socket-level SMTP client then sends.
// The two subpaths keep nodemailer's SMTP, SES and sendmail code out of bundles.

const composer = new Mail(new StreamTransport({ buffer: true, newline: 'windows' }), { disableFileAccess: true, disableUrlAccess: true });

export type RawMessage = { envelope: { from: string; to: string }; message: string };

export async function buildRawMessage(mail: OutgoingMail): Promise<RawMessage> {
  assertSendable(mail);
  const info = (await composer.sendMail(toMailOptions(mail))) as { message: Uint8Array };
  return { envelope: { from: mail.from.address, to: mail.to }, message: new TextDecoder().decode(info.message) };
}
