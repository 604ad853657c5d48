#!/usr/bin/env node
/**
 * rescard: the admin CLI (docs/cli.md). The composition root: the real process streams, env,
 * fetch and a Ctrl-C signal go into runCli; its answer is the exit code.
 */
import { processIo } from './cli-io.js';
import { runCli } from './program.js';

const interrupt = new AbortController();
process.once('SIGINT', () => interrupt.abort());
process.exitCode = await runCli(process.argv.slice(2), processIo(interrupt.signal));
