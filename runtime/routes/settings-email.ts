import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../context.ts';
import { readJson } from '../http.ts';
import { parseInput } from '../validation.ts';
import { findEmailSettings, saveEmailSettings } from '../store/email-settings-queries.ts';
import { connectTenantSmtp, disconnectTenantSmtp, emailSettingsView, updateSwitches } from '../services/email-settings-service.ts';
import { setCustomDomain, verifyCustomDomain } from '../services/custom-domain-service.ts';
import { sendSmtpTest } from '../services/smtp-test-service.ts';
import { isSafeHeaderText, isSingleAddress } from '../../plugins/mail/address.ts';

const Address = v.pipe(v.string(), v.trim(), v.maxLength(254), v.check(isSingleAddress, 'must be exactly one email address'));
const SmtpBody = v.strictObject({
  host: v.pipe(v.string(), v.trim(), v.minLength(1, 'is required'), v.maxLength(253), v.regex(/^[A-Za-z0-9.:[\]-]+$/, 'must be a host name or IP address')),
  port: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65535)),
  security: v.picklist(['none', 'tls', 'ssl'], 'must be none, tls (STARTTLS) or ssl (implicit TLS)'),
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

export const emailSettingsRoutes = new Hono<AppEnv>()
  .get('/', async (c) => c.json(emailSettingsView(await findEmailSettings(c.var.services.store.db, c.var.tenant.id), c.var.services.config.SPF_INCLUDE)))
  .put('/smtp', async (c) => {
    const body = parseInput(SmtpBody, await readJson(c));
    const settings = await connectTenantSmtp(c.var.services, c.var.tenant, body);
    return c.json({ ...settings, status: 'connected' });
  })
  .delete('/smtp', async (c) => c.json(await disconnectTenantSmtp(c.var.services, c.var.tenant)))
  .post('/smtp/test', async (c) => {
    const body = parseInput(v.strictObject({ to: Address }), await readJson(c));
    return c.json(await sendSmtpTest(c.var.services, c.var.tenant, body.to));
  })
  .put('/notifications', async (c) => {
    const body = parseInput(Switches, await readJson(c));
    return c.json({ notifications: await updateSwitches(c.var.services, c.var.tenant, body) });
  })
  .put('/reply-to', async (c) => {
    const body = parseInput(v.strictObject({ replyTo: v.nullable(Address) }), await readJson(c));
    await saveEmailSettings(c.var.services.store.db, c.var.tenant.id, { reply_to: body.replyTo }, c.var.services.clock.now().toISOString());
    return c.json(emailSettingsView(await findEmailSettings(c.var.services.store.db, c.var.tenant.id), c.var.services.config.SPF_INCLUDE));
  })
  .put('/domain', async (c) => {
    const body = parseInput(DomainBody, await readJson(c));
    return c.json(await setCustomDomain(c.var.services, c.var.tenant, body));
  })
  .post('/domain/verify', async (c) => c.json(await verifyCustomDomain(c.var.services, c.var.tenant)));
