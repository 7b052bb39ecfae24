import type { Services } from '../services.ts';
import type { Tenant } from '../context.ts';
import { AppError } from '../errors.ts';
import { findEmailSettings } from '../store/email-settings-queries.ts';
import { mailboxDomain, parseMailbox } from '../../plugins/mail/address.ts';
import { dmarcRecord, spfCovers } from '../../plugins/mail/spf-coverage.ts';

// "Will mail From this address, through this server, be believed?" Asked of
// the tenant's own SMTP server: the From it carries is the tenant's choice,
// and a From the server is not allowed to send for fails SPF/DMARC at real
// providers without any error on our side. Read-only; DNS goes through the
// configured resolver like every other lookup.

export type SenderWarning = { code: 'operator_from' | 'from_domain_differs' | 'spf_missing' | 'spf_not_covering' | 'spf_unknown' | 'dmarc_missing' | 'dns_failed'; message: string };

export type SenderCheck = {
  /** The From address every email through the tenant's server carries. */
  from: string;
  /** Where that address comes from: the From field, the username, or the operator's default. */
  fromSource: 'fromAddress' | 'username' | 'operator';
  serverAddresses: string[];
  spf: 'pass' | 'none' | 'fail' | 'unknown' | 'not_checked';
  dmarc: 'found' | 'none' | 'not_checked';
  warnings: SenderWarning[];
};

const IP_LITERAL = /^(\d{1,3}(\.\d{1,3}){3}|\[?[0-9a-fA-F:]+\]?)$/;

export async function checkSmtpSender(services: Services, tenant: Tenant): Promise<SenderCheck> {
  const row = await findEmailSettings(services.store.db, tenant.id);
  if (!row?.smtp_host || !row.smtp_status) throw new AppError('conflict', 'connect an SMTP server first (PUT /v1/settings/email/smtp)');
  // The same choice the sender resolver makes for every email.
  const fromField = parseMailbox(row.smtp_test_from ?? '');
  const fromUsername = parseMailbox(row.smtp_username ?? '');
  const from = fromField?.address ?? fromUsername?.address ?? services.config.MAIL_FROM;
  const fromSource = fromField ? 'fromAddress' : fromUsername ? 'username' : 'operator';
  const warnings: SenderWarning[] = [];
  const check: SenderCheck = { from, fromSource, serverAddresses: [], spf: 'not_checked', dmarc: 'not_checked', warnings };

  if (fromSource === 'operator') {
    warnings.push({ code: 'operator_from', message: `No From address is set and the username is not an address, so your server sends From ${from}, an address it is not allowed to send for: set the From address.` });
    return check;
  }
  const domain = mailboxDomain(from)!.toLowerCase();
  const userDomain = fromUsername ? mailboxDomain(fromUsername.address)?.toLowerCase() : undefined;
  if (userDomain && userDomain !== domain) {
    warnings.push({ code: 'from_domain_differs', message: `The From domain ${domain} is not the domain of the username (${userDomain}): many servers refuse or rewrite mail From a domain the login does not own.` });
  }
  try {
    // Applied only when it all came back in time: a late answer never half-fills the result.
    const found = await withinDeadline(lookUp(services, row.smtp_host, domain), DNS_DEADLINE_MS);
    Object.assign(check, { serverAddresses: found.serverAddresses, spf: found.spf, dmarc: found.dmarc });
    warnings.push(...found.warnings);
  } catch (error) {
    warnings.push({ code: 'dns_failed', message: `The DNS lookup for ${domain} failed (${(error as Error).message.slice(0, 200)}): SPF and DMARC were not checked.` });
  }
  return check;
}

/** SPF allows 10 lookups, each with the resolver's own timeout and retry: the page waits this long at most. */
const DNS_DEADLINE_MS = 8000;

async function lookUp(services: Services, smtpHost: string, domain: string) {
  const host = smtpHost.replace(/^\[|\]$/g, '');
  const serverAddresses = IP_LITERAL.test(smtpHost) ? [host] : (await services.resolver.resolveAddresses(host)).slice(0, 16);
  const [spf, dmarc] = await Promise.all([spfCovers(services.resolver, domain, serverAddresses), dmarcRecord(services.resolver, domain)]);
  const warnings: SenderWarning[] = [];
  const where = `${smtpHost} (${serverAddresses.join(', ') || 'no address'})`;
  if (spf.result === 'none') warnings.push({ code: 'spf_missing', message: `${domain} publishes no SPF record: receivers cannot tell that ${smtpHost} may send its mail.` });
  if (spf.result === 'fail') warnings.push({ code: 'spf_not_covering', message: `The SPF record of ${domain} does not list ${where}: add the server (or its provider's include) to it.` });
  if (spf.result === 'unknown') warnings.push({ code: 'spf_unknown', message: `Could not confirm that the SPF record of ${domain} lists ${smtpHost}: ${spf.why}.` });
  if (!dmarc) warnings.push({ code: 'dmarc_missing', message: `${domain} publishes no DMARC record (_dmarc.${domain}): large providers file or refuse bulk mail without one.` });
  return { serverAddresses, spf: spf.result, dmarc: dmarc ? ('found' as const) : ('none' as const), warnings };
}

function withinDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} seconds`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
