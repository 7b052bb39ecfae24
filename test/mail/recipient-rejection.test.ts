import { describe, expect, it } from 'vitest';
import { MailDeliveryError } from '../../plugins/types.ts';
import { recipientRejection } from '../../plugins/mail/recipient-rejection.ts';

const permanent = (code: number, response: string) => new MailDeliveryError('permanent', `rcpt: ${response}`, code, response);

describe('which permanent failures name the recipient', () => {
  it.each([
    [550, '550 5.1.1 <ann@example.com>: Recipient address rejected: User unknown in virtual mailbox table'],
    [550, '550-5.1.1 The email account that you tried to reach does not exist.'],
    [553, '553 5.1.3 Bad recipient address syntax'],
    [550, '550 5.2.1 The email account that you tried to reach is disabled.'],
    [551, '551 User not local; please try <forward@example.org>'],
    [550, '550 No such user here'],
    [553, '553 sorry, that domain isn\'t in my list of allowed rcpthosts; mailbox unavailable'],
  ])('%i: %s', (code, response) => {
    expect(recipientRejection(permanent(code, response))).toBe(response);
  });

  it.each([
    [550, '550 5.7.1 Message rejected as spam'],
    [554, '554 5.7.1 Service unavailable; client host blocked using zen.spamhaus.org'],
    [552, '552 5.3.4 Message size exceeds fixed limit'],
    [550, '550 Message refused by local policy'],
    // The wording says "unknown user", but the enhanced code says policy: believe the code.
    [550, '550 5.7.1 unknown user or policy refusal'],
    [554, '554 Transaction failed'],
  ])('not %i: %s', (code, response) => {
    expect(recipientRejection(permanent(code, response))).toBeNull();
  });

  it('never on a temporary failure, whatever it says', () => {
    expect(recipientRejection(new MailDeliveryError('transient', 'x', 450, '450 4.1.1 User unknown, try later'))).toBeNull();
    expect(recipientRejection(new MailDeliveryError('auth', 'x', 535, '535 5.7.8 user unknown'))).toBeNull();
  });
});
