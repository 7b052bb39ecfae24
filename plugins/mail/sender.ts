import type { MailTransport, OutgoingMail } from '../types.ts';

/** Who carries a tenant's mail right now and how the message is addressed. */
export type Sender = {
  name: 'builtin' | 'smtp';
  transport: MailTransport;
  from: OutgoingMail['from'];
  replyTo?: string;
  dkim?: OutgoingMail['dkim'];
};

export type SenderResolver = {
  senderFor(tenantId: string): Promise<Sender>;
  /** Called on 535 and friends: the tenant's integration needs attention. */
  onAuthFailure?(tenantId: string, message: string): Promise<void>;
  /** Drops a tenant's cached transport after its settings changed. */
  forget?(tenantId: string): void;
};
