import { checkSmtpTarget, SmtpTargetRefusedError, type HostResolver } from '../mail/smtp-guard.ts';

// Tenants choose where we send webhooks, so without these checks the service
// would POST into its own network on a tenant's behalf. The address rules are
// the SMTP guard's (one classification for every outbound connection): every
// resolved address must be public, checked again before every attempt (DNS
// may change after the endpoint was saved), and the client connects to the
// address checked here. ALLOW_PRIVATE_WEBHOOK_HOSTS lets loopback and private
// ranges, plain HTTP and any port through, for tests and self-hosted receivers;
// never link-local, metadata or reserved addresses.

export const WEBHOOK_PORTS: readonly number[] = [443, 8443];
export const MAX_URL_LENGTH = 2048;

export type DestinationOptions = { resolver: HostResolver; allowPrivate: boolean };

export class WebhookDestinationRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookDestinationRefusedError';
  }
}

/** Checks the URL's shape; returns why it is refused, or the parsed URL. */
export function parseWebhookUrl(raw: string, allowPrivate: boolean): URL | string {
  if (raw.length > MAX_URL_LENGTH) return `must be at most ${MAX_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:')) return 'must be an https:// URL';
  if (url.username || url.password) return 'must not carry credentials; the signature authenticates each delivery';
  if (url.hash) return 'must not have a fragment';
  const port = portOf(url);
  if (!allowPrivate && !WEBHOOK_PORTS.includes(port)) return `must use port ${WEBHOOK_PORTS.join(' or ')}`;
  return url;
}

/** Resolves the host and vets every address; returns the one to connect to. */
export async function checkWebhookDestination(url: URL, o: DestinationOptions): Promise<{ address: string }> {
  const port = portOf(url);
  try {
    const checked = await checkSmtpTarget({ host: url.hostname, port }, { resolver: o.resolver, allowPrivate: o.allowPrivate, allowedPorts: [port] });
    return { address: checked.address };
  } catch (error) {
    if (!(error instanceof SmtpTargetRefusedError)) throw error;
    // The guard's wording, retold for webhooks; equally vague about which range matched.
    const message = error.reason === 'blocked_address' ? 'the URL points at a private, internal or reserved address' : error.reason === 'unresolvable' ? 'the URL host could not be resolved' : 'the URL host is not a valid host name or IP address';
    throw new WebhookDestinationRefusedError(message);
  }
}

function portOf(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}
