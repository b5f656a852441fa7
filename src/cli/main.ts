// The `hbd` command line. Each subcommand lives in its own module; this file
// only declares options and maps results to exit codes.

import { Command, InvalidArgumentError, Option } from 'commander';
import { isResourceSet, RESOURCE_SETS, type ResourceSet } from '../control/protocol';
import { DEFAULT_STATE_DIR } from '../daemon/state-dir';
import { HbdError } from '../errors';
import { isLevelName, LEVEL_NAMES, type LevelName } from '../log';
import { VERSION } from '../version';
import { checkConfig } from './check-config';
import { DEFAULT_CONFIG_DIR } from './config-source';
import { resourceCommand, status, stopDaemon } from './control-commands';
import { demo } from './demo';
import { LDIRECTORD_ACTIONS, ldirectordCommand } from './ldirectord';
import { run } from './run';
import { versionText } from './version-text';

function parseLevel(value: string): LevelName {
  if (!isLevelName(value)) throw new InvalidArgumentError(`expected one of ${LEVEL_NAMES.join(', ')}`);
  return value;
}

function parseSet(value: string): ResourceSet {
  if (!isResourceSet(value)) throw new InvalidArgumentError(`expected one of ${RESOURCE_SETS.join(', ')}`);
  return value;
}

const stateDirOption = () =>
  new Option('--state-dir <dir>', 'state directory of the node (uuid, generation, control socket)').default(DEFAULT_STATE_DIR);

function configOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--config-dir <dir>', `Heartbeat configuration directory (ha.cf, authkeys, haresources); default ${DEFAULT_CONFIG_DIR}`).conflicts(
        'config',
      ),
    )
    .addOption(new Option('--config <file>', 'hbd YAML configuration instead of the ha.d files').conflicts('configDir'))
    .option('--node-name <name>', 'this node\'s name (default: uname -n)');
}

let exitCode = 0;
/** The flags of cl_status's queries, which `hbd status` passes on to them. */
const CL_STATUS_FLAGS = new Set(['-m', '-n', '-p']);

const setExit = (code: number) => {
  exitCode = code;
};

export function buildProgram(): Command {
  const program = new Command('hbd')
    .description('High-availability daemon for LVS directors: Heartbeat v1 (haresources) compatible, ldirectord built in')
    .showHelpAfterError()
    .exitOverride();

  configOptions(program.command('run').description('run the daemon'))
    .addOption(stateDirOption())
    .option('--foreground', 'stay in the foreground and log to stderr too')
    .addOption(new Option('--log-level <level>', 'log level (overrides ha.cf debug)').argParser(parseLevel))
    .addOption(
      new Option('--on-stop-failure <action>', 'a resource that cannot be stopped: reboot (as Heartbeat), exit, or none (only log)')
        .choices(['reboot', 'exit', 'none'])
        .default('reboot'),
    )
    .action(async (opts) => {
      const argv = process.argv.slice(2).filter((a) => a !== '--foreground');
      setExit(await run(opts, argv));
    });

  configOptions(program.command('check-config').description('validate the configuration and exit (0 valid, 1 errors)'))
    .option('--print-yaml', 'print the configuration model as hbd YAML (migration aid)')
    .option('--json', 'print the diagnostics as JSON')
    .option('--no-filesystem-checks', 'skip checks that look at this machine (scripts, file modes)')
    .action((opts) => setExit(checkConfig({ ...opts, filesystemChecks: opts.filesystemChecks })));

  program
    .command('status')
    .description('show the cluster as the running daemon sees it; or answer one cl_status-style query')
    .argument('[query...]', 'hbstatus | listnodes [-n|-p] | nodestatus NODE | nodetype NODE | listhblinks NODE | hblinkstatus NODE IF | rscstatus | hbparameter -p NAME; -m: in words')
    // cl_status's own flags (-m, -n, -p) belong to the query.
    .allowUnknownOption(true)
    .option('--json', 'machine-readable output')
    .option('--follow', 'print the ordered event stream until interrupted')
    .addOption(stateDirOption())
    .action(async (query: string[], opts, cmd: Command) => {
      const unknown = query.find((q) => q.startsWith('-') && !CL_STATUS_FLAGS.has(q));
      if (unknown !== undefined) cmd.error(`error: unknown option '${unknown}'`, { code: 'commander.unknownOption' });
      setExit(await status(opts, query));
    });

  for (const cmd of ['standby', 'takeover'] as const) {
    program
      .command(cmd)
      .description(
        cmd === 'standby'
          ? 'give resources to the peer (hb_standby): all, local, foreign or failback'
          : 'take resources from the peer (hb_takeover): all, local, foreign or failback',
      )
      .argument('[set]', RESOURCE_SETS.join('|'), parseSet, 'all')
      .addOption(stateDirOption())
      .action(async (set: ResourceSet, opts) => setExit(await resourceCommand(cmd, set, opts)));
  }

  program
    .command('stop')
    .description('stop the running daemon gracefully (like `heartbeat -k`)')
    .addOption(stateDirOption())
    .action(async (opts) => setExit(await stopDaemon(opts)));

  program
    .command('ldirectord')
    .description('run the built-in ldirectord on its own, like ldirectord\'s CLI')
    .argument('<config>', 'ldirectord.cf (looked up in /etc/ha.d, /etc/ha.d/conf, then as a path)')
    .argument('<action>', LDIRECTORD_ACTIONS.join('|'))
    .addOption(new Option('--state-dir <dir>', 'state directory (pid file, control socket)').default('/var/lib/hbd/ldirectord'))
    .option('--foreground', 'stay in the foreground')
    .action(async (config: string, action: string, opts) => setExit(await ldirectordCommand(config, action, opts)));

  program
    .command('demo')
    .description('two directors and a client in network namespaces on this machine: a live failover')
    .option('--keep', 'leave the namespaces and daemons running at the end (clean up with `hbd demo --cleanup`)')
    .option('--cleanup', 'only remove what an earlier `--keep` run left')
    .action(async (opts) => setExit(await demo(opts)));

  program
    .command('version')
    .description('print the versions of hbd and its native core')
    .action(() => {
      process.stdout.write(versionText());
    });

  program.version(VERSION, '-V, --version');
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
  } catch (e) {
    const err = e as { code?: string; exitCode?: number; message?: string };
    if (typeof err.code === 'string' && err.code.startsWith('commander.')) {
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? 0 : 2;
    }
    if (e instanceof HbdError) {
      process.stderr.write(`hbd: ${e.message}\n`);
      return e.code === 'CONTROL_NOT_RUNNING' ? 3 : 1;
    }
    process.stderr.write(`hbd: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  }
  return exitCode;
}
