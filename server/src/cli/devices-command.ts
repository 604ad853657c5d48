/**
 * Devices (server/src/app/pki-plugin.ts):
 *
 *   rescard devices [--json]                  GET  /api/devices/registry
 *   rescard enrol-token --device ID …         POST /api/enrolment-tokens → the one-time token
 *   rescard revoke DEVICE --reason R          POST /api/devices/:id/revoke
 *
 * A gate or canteen names its school (--site); a bus validator its route, carrier and vehicle.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { usageError } from './cli-error.js';
import { withCommon, type CommandContext, type CommonOptions } from './command-context.js';
import { formatDevices, siteText, type DeviceRow } from './format-devices.js';

const DEVICE_ID = /^[A-Za-z0-9._-]{1,64}$/;

function deviceId(value: string): string {
  if (!DEVICE_ID.test(value)) throw new InvalidArgumentError('1-64 of A-Z a-z 0-9 . _ -');
  return value;
}

interface EnrolOptions extends CommonOptions {
  readonly device: string;
  readonly kind: 'terminal' | 'gateway';
  readonly profile: string;
  readonly site?: string;
  readonly route?: string;
  readonly carrier?: string;
  readonly vehicle?: string;
  readonly ttlHours?: number;
}

interface TokenReply {
  readonly token: string;
  readonly deviceId: string;
  readonly expiresAt: string;
}

export function enrolBody(o: EnrolOptions): Record<string, unknown> {
  const bus = [o.route, o.carrier, o.vehicle].some((v) => v !== undefined);
  if (o.site !== undefined && bus) throw usageError('give --site (a school) or --route/--carrier/--vehicle (a bus), not both');
  if (o.profile === 'bus' && o.site !== undefined) throw usageError('a bus device takes --route, --carrier and --vehicle, not --site');
  if ((o.profile === 'gate' || o.profile === 'canteen') && bus) throw usageError(`a ${o.profile} device takes --site (its school), not a route`);
  return {
    deviceId: o.device, kind: o.kind, profile: o.profile,
    ...(o.site === undefined ? {} : { schoolId: o.site }),
    ...(o.route === undefined ? {} : { routeId: o.route }),
    ...(o.carrier === undefined ? {} : { carrierId: o.carrier }),
    ...(o.vehicle === undefined ? {} : { vehicleId: o.vehicle }),
    ...(o.ttlHours === undefined ? {} : { ttlHours: o.ttlHours }),
  };
}

export function registerDevices(program: Command, ctx: CommandContext): void {
  withCommon(program.command('devices').description('the device registry: profile, site, certificate, last seen, list versions, queue, restricted mode'))
    .action(async (o: CommonOptions) => {
      const { api } = await ctx.connect(o);
      const reply = await api.json<{ devices: DeviceRow[] }>('GET', '/api/devices/registry');
      ctx.result(o, reply, () => formatDevices(reply.devices, ctx.io.nowMs()));
    });

  withCommon(program.command('enrol-token').description('make a one-time enrolment token for a device (give it to rescard-terminal enroll)'))
    .requiredOption('--device <id>', 'device id (its certificate will carry it)', deviceId)
    .addOption(new Option('--kind <kind>', 'device kind').choices(['terminal', 'gateway']).makeOptionMandatory())
    .addOption(new Option('--profile <profile>', 'device profile').choices(['bus', 'gate', 'canteen', 'gateway']).makeOptionMandatory())
    .option('--site <school>', 'the school of a gate or canteen reader')
    .option('--route <id>', 'bus route')
    .option('--carrier <id>', 'bus carrier')
    .option('--vehicle <id>', 'bus (vehicle) id')
    .option('--ttl-hours <n>', 'token lifetime in hours (server default 72)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 720) throw new InvalidArgumentError('1-720');
      return n;
    })
    .action(async (o: EnrolOptions) => {
      const body = enrolBody(o);
      const { api } = await ctx.connect(o);
      const t = await api.json<TokenReply>('POST', '/api/enrolment-tokens', { body });
      const site = siteText(body as Record<string, string>);
      ctx.result(o, t, () =>
        `enrolment token for ${t.deviceId} (${o.kind}, ${o.profile}${site === '-' ? '' : `, ${site}`}), one use, until ${t.expiresAt}:\n${t.token}\n` +
        `on the device: rescard-${o.kind} enroll --server ${api.server} --token <token>\n`);
    });

  withCommon(program.command('revoke').description('revoke a device: refused at its next connect, live session dropped'))
    .argument('<device>', 'device id', deviceId)
    .requiredOption('--reason <text>', 'why (kept in the registry and the audit log)')
    .action(async (device: string, o: CommonOptions & { reason: string }) => {
      const { api } = await ctx.connect(o);
      const d = await api.json<{ deviceId: string; state: string; revokedAt: string | null }>('POST', `/api/devices/${encodeURIComponent(device)}/revoke`, { body: { reason: o.reason } });
      ctx.result(o, d, () => `${d.deviceId}: ${d.state}${d.revokedAt === null ? '' : ` at ${d.revokedAt}`}\n`);
    });
}
