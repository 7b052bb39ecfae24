import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../context.ts';
import { readJson } from '../http.ts';
import { idempotent } from '../idempotency.ts';
import { parseInput } from '../validation.ts';
import { findEmailSettings, saveEmailSettings } from '../store/email-settings-queries.ts';
import { connectTenantSmtp, disconnectTenantSmtp, emailSettingsView, updateSwitches } from '../services/email-settings-service.ts';
import { setCustomDomain, verifyCustomDomain } from '../services/custom-domain-service.ts';
import { sendSmtpTest } from '../services/smtp-test-service.ts';
import { checkSmtpSender } from '../services/sender-check-service.ts';
import { isSafeHeaderText, isSingleAddress } from '../../plugins/mail/address.ts';
import type { RouteDoc } from '../openapi/route-doc.ts';
import { AnyObject } from '../openapi/shapes.ts';

const Address = v.pipe(v.string(), v.trim(), v.maxLength(254), v.check(isSingleAddress, 'must be exactly one email address'));
const SmtpBody = v.strictObject({
  host: v.pipe(v.string(), v.trim(), v.minLength(1, 'is required'), v.maxLength(253), v.regex(/^[A-Za-z0-9.:[\]-]+$/, 'must be a host name or IP address')),
  port: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65535)),
  security: v.picklist(['none', 'tls', 'ssl'], 'must be none (None), tls (STARTTLS) or ssl (SSL/TLS)'),
  username: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(254), v.check(isSafeHeaderText, 'must be one line'))),
  password: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(1000))),
  testFromAddress: v.optional(Address),
  allowPlaintextAuth: v.optional(v.boolean()),
});
const Switches = v.strictObject({
  reward: v.optional(v.boolean()),
  emailAction: v.optional(v.boolean()),
  verification: v.optional(v.boolean()),
  passwordReset: v.optional(v.boolean()),
  w9Notice: v.optional(v.boolean()),
  payoutReminder: v.optional(v.boolean()),
  rewardPending: v.optional(v.boolean()),
});
const DomainBody = v.strictObject({
  domain: v.pipe(v.string(), v.trim(), v.regex(/^(?!-)[A-Za-z0-9-]{1,63}(\.(?!-)[A-Za-z0-9-]{1,63})+\.?$/, 'must be a domain name such as mail.example.com')),
  fromAddress: Address,
});

const TestBody = v.strictObject({ to: Address });
const ReplyToBody = v.strictObject({ replyTo: v.nullable(Address) });

export const emailSettingsRoutes = new Hono<AppEnv>()
  .get('/', async (c) => c.json(emailSettingsView(await findEmailSettings(c.var.services.store.db, c.var.tenant.id), c.var.services.config.SPF_INCLUDE)))
  .put('/smtp', async (c) => {
    const body = parseInput(SmtpBody, await readJson(c));
    const settings = await connectTenantSmtp(c.var.services, c.var.tenant, body);
    return c.json({ ...settings, status: 'connected' });
  })
  .get('/smtp/sender-check', async (c) => c.json(await checkSmtpSender(c.var.services, c.var.tenant)))
  .delete('/smtp', async (c) => c.json(await disconnectTenantSmtp(c.var.services, c.var.tenant)))
  .post('/smtp/test', idempotent('POST /v1/settings/email/smtp/test'), async (c) => {
    const body = parseInput(TestBody, await readJson(c));
    return c.json(await sendSmtpTest(c.var.services, c.var.tenant, body.to));
  })
  .put('/notifications', async (c) => {
    const body = parseInput(Switches, await readJson(c));
    return c.json({ notifications: await updateSwitches(c.var.services, c.var.tenant, body) });
  })
  .put('/reply-to', async (c) => {
    const body = parseInput(ReplyToBody, await readJson(c));
    await saveEmailSettings(c.var.services.store.db, c.var.tenant.id, { reply_to: body.replyTo }, c.var.services.clock.now().toISOString());
    return c.json(emailSettingsView(await findEmailSettings(c.var.services.store.db, c.var.tenant.id), c.var.services.config.SPF_INCLUDE));
  })
  .put('/domain', async (c) => {
    const body = parseInput(DomainBody, await readJson(c));
    return c.json(await setCustomDomain(c.var.services, c.var.tenant, body));
  })
  .post('/domain/verify', async (c) => c.json(await verifyCustomDomain(c.var.services, c.var.tenant)));

export const emailSettingsDocs: RouteDoc[] = [
  {
    method: 'get', path: '/v1/settings/email', auth: 'apiKey', tags: ['email settings'],
    summary: 'Email settings: sender mode, SMTP, reply-to, custom domain and its DNS records, notification switches',
    responses: { 200: { description: 'the settings (never the password)', schema: AnyObject } },
  },
  {
    method: 'put', path: '/v1/settings/email/smtp', auth: 'apiKey', tags: ['email settings'],
    summary: "Connect the tenant's own SMTP server (the server is tried first)",
    body: SmtpBody,
    responses: { 200: { description: 'connected', schema: AnyObject } },
    errors: ['smtp_refused', 'smtp_unreachable'],
  },
  {
    method: 'get', path: '/v1/settings/email/smtp/sender-check', auth: 'apiKey', tags: ['email settings'],
    summary: "The From every email through the tenant's server carries, and whether its domain's SPF and DMARC records let that server send for it (checked in DNS now)",
    responses: { 200: { description: 'the From, its source, the SPF and DMARC findings and warnings', schema: AnyObject } },
    errors: ['conflict'],
  },
  {
    method: 'delete', path: '/v1/settings/email/smtp', auth: 'apiKey', tags: ['email settings'],
    summary: 'Disconnect the SMTP server and go back to the built-in sender',
    responses: { 200: { description: 'the settings', schema: AnyObject } },
  },
  {
    method: 'post', path: '/v1/settings/email/smtp/test', auth: 'apiKey', tags: ['email settings'],
    summary: 'Send a test email through the connected server',
    body: TestBody,
    idempotent: true,
    responses: { 200: { description: 'the server accepted it', schema: AnyObject } },
    errors: ['conflict', 'smtp_unreachable'],
  },
  {
    method: 'put', path: '/v1/settings/email/notifications', auth: 'apiKey', tags: ['email settings'],
    summary: 'Switch notification types on or off',
    body: Switches,
    responses: { 200: { description: 'the switches', schema: v.object({ notifications: v.record(v.string(), v.boolean()) }) } },
  },
  {
    method: 'put', path: '/v1/settings/email/reply-to', auth: 'apiKey', tags: ['email settings'],
    summary: 'Set or clear the Reply-To address',
    body: ReplyToBody,
    responses: { 200: { description: 'the settings', schema: AnyObject } },
  },
  {
    method: 'put', path: '/v1/settings/email/domain', auth: 'apiKey', tags: ['email settings'],
    summary: 'Set a custom From domain; answers the DNS records to publish',
    body: DomainBody,
    responses: { 200: { description: 'the domain and its records', schema: AnyObject } },
  },
  {
    method: 'post', path: '/v1/settings/email/domain/verify', auth: 'apiKey', tags: ['email settings'],
    summary: "Check the custom domain's DNS records",
    responses: { 200: { description: 'the domain and each record found or missing', schema: AnyObject } },
    errors: ['conflict'],
  },
];
