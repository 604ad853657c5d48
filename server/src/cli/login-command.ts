/**
 * `rescard login --server URL --user U`: POST /api/auth/login { username, password } → a session
 * token, saved in the credentials file (0600) for that server, which becomes the default.
 * The password comes from RESCARD_PASSWORD, --password-stdin, or a no-echo prompt on a TTY;
 * never from an option (it would sit in the shell history and the process list).
 * `rescard logout` ends the session on the server (POST /api/auth/logout) and forgets it.
 */
import type { Command } from 'commander';
import { ApiClient } from './api-client.js';
import { usageError } from './cli-error.js';
import { withCommon, type CommandContext, type CommonOptions } from './command-context.js';
import { credentialsPath, forgetSession, readCredentials, resolveServer, saveSession } from './credentials.js';
import { promptHidden, readFirstLine } from './read-secret.js';

interface LoginOptions extends CommonOptions {
  readonly user: string;
  readonly passwordStdin?: boolean;
}

interface LoginReply {
  readonly token?: unknown;
  readonly expiresAt?: unknown;
  readonly account?: { readonly username?: unknown; readonly role?: unknown };
  readonly role?: unknown;
}

async function password(ctx: CommandContext, o: LoginOptions): Promise<string> {
  if (o.passwordStdin === true) return readFirstLine(ctx.io.stdin, 'password');
  const fromEnv = ctx.io.env['RESCARD_PASSWORD'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (!ctx.io.stdinIsTTY) throw usageError('no password: set RESCARD_PASSWORD, use --password-stdin, or run on a terminal');
  return promptHidden(`password for ${o.user}: `, ctx.io.stdin, ctx.io.stderr);
}

export function registerLogin(program: Command, ctx: CommandContext): void {
  withCommon(program.command('login').description('sign in and save the session token (~/.config/rescard/credentials.json, mode 0600)'), { tokenFlag: false })
    .requiredOption('--user <name>', 'account name')
    .option('--password-stdin', 'read the password from the first line of stdin')
    .action(async (o: LoginOptions) => {
      const server = resolveServer(o.server, ctx.io.env, (await readCredentials(credentialsPath(ctx.io.env, ctx.io.homeDir))).file);
      const secret = await password(ctx, o);
      const api = new ApiClient({ server, token: null, fetch: ctx.io.fetch, signal: ctx.io.signal });
      const reply = await api.json<LoginReply>('POST', '/api/auth/login', { body: { username: o.user, password: secret }, auth: false });
      if (typeof reply.token !== 'string' || reply.token === '') throw usageError(`${server} answered the login without a token: is it a rescard server?`);
      const expiresAt = typeof reply.expiresAt === 'string' ? reply.expiresAt : null;
      const path = credentialsPath(ctx.io.env, ctx.io.homeDir);
      await saveSession(path, server, { token: reply.token, username: o.user, expiresAt, savedAt: new Date(ctx.io.nowMs()).toISOString() });
      const role = typeof reply.account?.role === 'string' ? reply.account.role : typeof reply.role === 'string' ? reply.role : null;
      ctx.result(o, { server, username: o.user, role, expiresAt, credentials: path }, () =>
        `logged in to ${server} as ${o.user}${role === null ? '' : ` (${role})`}${expiresAt === null ? '' : `, session until ${expiresAt}`}\nsaved to ${path}\n`);
    });

  withCommon(program.command('logout').description('end the saved session on the server and forget it locally'), { tokenFlag: false, json: false }).action(async (o: CommonOptions) => {
    const path = credentialsPath(ctx.io.env, ctx.io.homeDir);
    const { file } = await readCredentials(path);
    const server = resolveServer(o.server, ctx.io.env, file);
    const saved = file.servers[server];
    if (saved === undefined) {
      ctx.out(`no saved session for ${server}\n`);
      return;
    }
    const api = new ApiClient({ server, token: saved.token, fetch: ctx.io.fetch, signal: ctx.io.signal });
    try {
      await api.json('POST', '/api/auth/logout');
    } catch (err) {
      ctx.warn(`warning: the server did not end the session (${err instanceof Error ? err.message : String(err)}); forgetting it locally`);
    }
    await forgetSession(path, server);
    ctx.out(`logged out of ${server}\n`);
  });
}
