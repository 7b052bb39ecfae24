// The default template of each email type: plain, clear, good enough to send
// as is. A program overrides any of them with PUT …/templates/:key.

export type TemplateSource = { subject: string; html: string; text: string };

export const EMAIL_TYPES = ['email-action', 'reward', 'verification', 'password-reset', 'w9-notice', 'payout-reminder', 'reward-pending'] as const;
export type EmailType = (typeof EMAIL_TYPES)[number];

const layout = (body: string) =>
  `<!doctype html><html><body style="font-family:system-ui,sans-serif;max-width:560px;margin:auto;color:#1f2933">${body}` +
  `<p style="color:#616e7c;font-size:12px">{{ program.name }}</p></body></html>`;

export const DEFAULT_TEMPLATES: Record<EmailType, TemplateSource> = {
  'email-action': {
    subject: '{{ program.name }}: news for you',
    html: layout('<p>Hi {{ participant.firstName | default: "there" }},</p><p>{{ data.message | default: "Something happened in your referral program." }}</p>'),
    text: 'Hi {{ participant.firstName | default: "there" }},\n\n{{ data.message | default: "Something happened in your referral program." }}\n\n{{ program.name }}',
  },
  reward: {
    subject: 'You earned {{ reward.amountFormatted }} from {{ program.name }}',
    html: layout('<p>Hi {{ participant.firstName | default: "there" }},</p><p>You earned <strong>{{ reward.amountFormatted }}</strong> ({{ reward.kindLabel }}){% if reward.description %}: {{ reward.description }}{% endif %}.</p>{% if reward.held %}<p>We will pay it out as soon as your tax and banking details are complete.</p>{% endif %}'),
    text: 'Hi {{ participant.firstName | default: "there" }},\n\nYou earned {{ reward.amountFormatted }} ({{ reward.kindLabel }}){% if reward.description %}: {{ reward.description }}{% endif %}.{% if reward.held %}\n\nWe will pay it out as soon as your tax and banking details are complete.{% endif %}\n\n{{ program.name }}',
  },
  verification: {
    subject: 'Confirm your email for {{ program.name }}',
    html: layout('<p>Hi {{ participant.firstName | default: "there" }},</p><p>Please confirm your email address:</p><p><a href="{{ link }}">Confirm my email</a></p><p>The link expires in {{ expiresInHours }} hour{% if expiresInHours != 1 %}s{% endif %}. If you did not ask for this, ignore this email.</p>'),
    text: 'Hi {{ participant.firstName | default: "there" }},\n\nPlease confirm your email address:\n{{ link }}\n\nThe link expires in {{ expiresInHours }} hour{% if expiresInHours != 1 %}s{% endif %}. If you did not ask for this, ignore this email.\n\n{{ program.name }}',
  },
  'password-reset': {
    subject: 'Reset your {{ program.name }} password',
    html: layout('<p>Hi {{ participant.firstName | default: "there" }},</p><p>Someone asked to reset your password.</p><p><a href="{{ link }}">Choose a new password</a></p><p>The link expires in {{ expiresInMinutes }} minute{% if expiresInMinutes != 1 %}s{% endif %} and works once. If it was not you, ignore this email.</p>'),
    text: 'Hi {{ participant.firstName | default: "there" }},\n\nSomeone asked to reset your password. Choose a new one here:\n{{ link }}\n\nThe link expires in {{ expiresInMinutes }} minute{% if expiresInMinutes != 1 %}s{% endif %} and works once. If it was not you, ignore this email.\n\n{{ program.name }}',
  },
  'w9-notice': {
    subject: 'Tax form needed for your {{ year }} rewards',
    html: layout('<p>Hi {{ participant.firstName | default: "there" }},</p><p>Your cash rewards in {{ year }} total {{ totalFormatted }}, at or above the reporting threshold of {{ reportableFromFormatted }}. US tax rules require a W-9 form before we can pay out more.</p>{% if link %}<p><a href="{{ link }}">Submit your W-9</a></p>{% endif %}'),
    text: 'Hi {{ participant.firstName | default: "there" }},\n\nYour cash rewards in {{ year }} total {{ totalFormatted }}, at or above the reporting threshold of {{ reportableFromFormatted }}. US tax rules require a W-9 form before we can pay out more.{% if link %}\n\nSubmit it here: {{ link }}{% endif %}\n\n{{ program.name }}',
  },
  'payout-reminder': {
    subject: 'Your {{ program.name }} reward is waiting',
    html: layout('<p>Hi {{ participant.firstName | default: "there" }},</p><p>You have {{ pendingFormatted }} in rewards waiting. Add your tax and banking details so we can pay you.</p>{% if link %}<p><a href="{{ link }}">Complete my details</a></p>{% endif %}'),
    text: 'Hi {{ participant.firstName | default: "there" }},\n\nYou have {{ pendingFormatted }} in rewards waiting. Add your tax and banking details so we can pay you.{% if link %}\n\n{{ link }}{% endif %}\n\n{{ program.name }}',
  },
  'reward-pending': {
    subject: 'Your {{ reward.amountFormatted }} from {{ program.name }} is on its way',
    html: layout('<p>Hi {{ participant.firstName | default: "there" }},</p><p>You earned <strong>{{ reward.amountFormatted }}</strong> ({{ reward.kindLabel }}){% if reward.description %}: {{ reward.description }}{% endif %}. It becomes available on {{ reward.availableOn }}; we will write again then.</p>'),
    text: 'Hi {{ participant.firstName | default: "there" }},\n\nYou earned {{ reward.amountFormatted }} ({{ reward.kindLabel }}){% if reward.description %}: {{ reward.description }}{% endif %}. It becomes available on {{ reward.availableOn }}; we will write again then.\n\n{{ program.name }}',
  },
};
