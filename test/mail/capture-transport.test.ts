import { describe, expect, it } from 'vitest';
import { createCaptureTransport } from '../../plugins/mail/transports/capture-transport.ts';
import type { OutgoingMail } from '../../plugins/types.ts';

const mail = (n: number): OutgoingMail => ({
  from: { address: 'rewards@acme.example' },
  to: `friend${n}@example.com`,
  subject: `Message ${n}`,
  html: '<p>hi</p>',
  text: 'hi',
  messageId: `<m${n}@acme.example>`,
});

describe('capture transport', () => {
  it('keeps messages in order and answers like a server that accepted them', async () => {
    const transport = createCaptureTransport();
    await expect(transport.send(mail(1))).resolves.toEqual({ response: '250 captured', messageId: '<m1@acme.example>' });
    await transport.send(mail(2));
    expect(transport.messages.map((m) => m.to)).toEqual(['friend1@example.com', 'friend2@example.com']);
    await transport.close();
  });

  it('keeps only the newest messages when bounded, as a capturing server does', async () => {
    const transport = createCaptureTransport({ keep: 2 });
    for (let n = 1; n <= 5; n++) await transport.send(mail(n));
    expect(transport.messages.map((m) => m.to)).toEqual(['friend4@example.com', 'friend5@example.com']);
  });

  it('stores a copy, so later changes to the caller object do not rewrite what was sent', async () => {
    const transport = createCaptureTransport();
    const original = mail(3);
    await transport.send(original);
    original.subject = 'changed';
    expect(transport.messages[0].subject).toBe('Message 3');
  });
});
