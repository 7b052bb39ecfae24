import type { Db } from '../store/store.ts';
import type { ParticipantView, ProgramSettings } from '../../plugins/types.ts';
import { countReferrals, } from '../store/participant-queries.ts';
import { countRewards, rewardTotalsBetween } from '../store/reward-queries.ts';
import { taxYear } from '../../plugins/rewards/tax-year.ts';
import { cashInUsd } from '../../plugins/rewards/cash-ledger.ts';
import { thresholdFor } from '../../plugins/rewards/tax-thresholds.ts';

export type ParticipantStats = {
  rewardCount: number;
  referralCount: number;
  taxYear: number;
  /** USD cents of cash rewards dated in the current tax year. */
  cashRewardsThisYear: number;
  /** Currencies left out of cashRewardsThisYear for want of a conversion rate. */
  excludedCurrencies: string[];
  pendingPayoutCents: number;
  /** This tax year's W-9 threshold: the smallest reportable total (USD cents). */
  w9ReportableFromCents: number;
  w9Required: boolean;
};

export async function loadStats(db: Db, tenantId: string, participant: ParticipantView, settings: ProgramSettings, now: Date): Promise<ParticipantStats> {
  const year = taxYear(now, settings.timeZone);
  const [rewardCount, referralCount, rows] = await Promise.all([
    countRewards(db, tenantId, participant.id),
    countReferrals(db, tenantId, participant.id),
    rewardTotalsBetween(db, tenantId, participant.id, year.from, year.to),
  ]);
  const cash = cashInUsd(rows, settings);
  const pending = cashInUsd(rows.filter((r) => r.status === 'pending' && r.pending_reasons.includes('payout_info')), settings);
  const threshold = thresholdFor(year.year, settings).reportableFromCents;
  return {
    rewardCount,
    referralCount,
    taxYear: year.year,
    cashRewardsThisYear: cash.cents,
    excludedCurrencies: cash.excludedCurrencies,
    pendingPayoutCents: pending.cents,
    w9ReportableFromCents: threshold,
    w9Required: !participant.w9OnFile && cash.cents >= threshold,
  };
}
