import type { CheckName, ReferralCheck } from './types.ts';
import { selfReferral } from './self-referral.ts';
import { cycle } from './cycle.ts';
import { rate } from './rate.ts';
import { disposableEmail } from './disposable-email.ts';
import { blocked } from './blocked.ts';

/** Every referral check, in the order they run and a denial names the first. */
export const referralChecks: Readonly<Record<CheckName, ReferralCheck>> = { selfReferral, cycle, rate, disposableEmail, blocked };
