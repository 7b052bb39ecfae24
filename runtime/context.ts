import type { Services } from './services.ts';

export type Tenant = { id: string; name: string };

/** Hono's environment: services are injected once per app, the tenant per request. */
export type AppEnv = {
  Variables: {
    services: Services;
    tenant: Tenant;
    requestId: string;
  };
};
