// Per-tenant switches, one per email type; all on unless the tenant turns one off.

export const SWITCH_OF_TYPE = {
  'email-action': 'emailAction',
  reward: 'reward',
  verification: 'verification',
  'password-reset': 'passwordReset',
  'w9-notice': 'w9Notice',
  'payout-reminder': 'payoutReminder',
  'reward-pending': 'rewardPending',
} as const;

export type NotificationSwitch = (typeof SWITCH_OF_TYPE)[keyof typeof SWITCH_OF_TYPE];
export type NotificationSwitches = Record<NotificationSwitch, boolean>;

export const ALL_ON: NotificationSwitches = {
  reward: true,
  emailAction: true,
  verification: true,
  passwordReset: true,
  w9Notice: true,
  payoutReminder: true,
  rewardPending: true,
};

export function readSwitches(stored: string | null | undefined): NotificationSwitches {
  return { ...ALL_ON, ...(stored ? (JSON.parse(stored) as Partial<NotificationSwitches>) : {}) };
}

export function isTypeEnabled(switches: NotificationSwitches, type: string): boolean {
  const name = SWITCH_OF_TYPE[type as keyof typeof SWITCH_OF_TYPE];
  return name === undefined ? true : switches[name];
}
