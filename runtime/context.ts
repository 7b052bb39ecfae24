import type { Services } from './services.ts';

export type Tenant = { id: string; name: string };

/** Hono's environment: services are injected once per app, the tenant and the peer's address per request. */
export type AppEnv = {
  Variables: {
    services: Services;
    tenant: Tenant;
    requestId: string;
    /** The socket's peer as the runtime entry reports it (on Workers, CF-Connecting-IP); null when unknown. */
    peerAddress: string | null;
  };
};
