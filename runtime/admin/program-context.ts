import type { Context } from 'hono';
import type { AdminEnv } from './admin-env.ts';
import { AppError } from '../errors.ts';
import { subNav, type SubLink } from './layout.tsx';

export type ProgramSummary = { id: string; name: string; activeVersion: number | null; createdAt: string };

/** The program a page is about, read through the API (so a program of another tenant is simply not found). */
export async function loadProgram(c: Context<AdminEnv>): Promise<ProgramSummary> {
  const id = c.req.param('programId') ?? '';
  const res = await c.var.api<ProgramSummary>('GET', `/v1/programs/${encodeURIComponent(id)}`);
  if (res.status === 404) throw new AppError('not_found', 'There is no such program.');
  if (!res.ok) throw new AppError('internal', res.error!.message);
  return res.body;
}

export const programBase = (program: { id: string }) => `/admin/programs/${encodeURIComponent(program.id)}`;

/** Programs → Overview / Rules / Templates / Settings / Backtests: the tabs under a program's pages. */
export function programSub(program: { id: string; name: string }, current: 'overview' | 'rules' | 'templates' | 'settings' | 'backtests'): { label: string; links: SubLink[] } {
  const base = programBase(program);
  return {
    label: `Program ${program.name}`,
    links: subNav(
      [
        { href: `${base}/overview`, label: 'Overview' },
        { href: `${base}/rules`, label: 'Rules' },
        { href: `${base}/templates`, label: 'Templates' },
        { href: `${base}/settings`, label: 'Settings' },
        { href: `${base}/backtests`, label: 'Backtests' },
      ],
      `${base}/${current}`,
    ),
  };
}
