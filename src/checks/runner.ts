// The CheckRunner: picks the check for a spec's checktype and service and
// runs it as one attempt under the spec's deadline.

import { CheckFailure, runAttempt } from './attempt';
import { checkTcpConnect } from './connect';
import { checkDns } from './dns';
import { checkExternal } from './external';
import { checkFtp } from './ftp';
import { httpCheck } from './http';
import { imapCheck } from './imap';
import { ldapCheck } from './ldap';
import { checkMysql } from './mysql';
import { checkNntp } from './nntp';
import { checkPgsql } from './pgsql';
import { NoIcmpPinger, pingCheck } from './ping';
import { popCheck } from './pop';
import { checkRadius } from './radius';
import type { ServiceCheck } from './service-check';
import { checkSimpleTcp } from './simpletcp';
import { checkSip } from './sip';
import { checkSmtp } from './smtp';
import { unsupportedServices } from './spec-problems';
import type { CheckResult, CheckRunner, CheckService, CheckSpec, CheckTarget, Pinger } from './types';
import { unsupportedCheck } from './unsupported';

export interface CheckRunnerOptions {
  /** ICMP echo for ping checks (and connect on UDP); defaults to NoIcmpPinger. */
  readonly pinger?: Pinger;
}

const NEGOTIATE: Readonly<Record<CheckService, ServiceCheck>> = {
  dns: checkDns,
  ftp: checkFtp,
  http: httpCheck('http'),
  https: httpCheck('https'),
  http_proxy: httpCheck('http_proxy'),
  imap: imapCheck(false),
  imaps: imapCheck(true),
  ldap: ldapCheck(false),
  ldaps: ldapCheck(true),
  mysql: checkMysql,
  nntp: checkNntp,
  // The brief for hbd: service none negotiates as a plain connect
  // (ldirectord's check_none marks the server up without any traffic).
  none: checkTcpConnect,
  oracle: unsupportedCheck(unsupportedServices().get('oracle') ?? 'oracle is not supported'),
  pgsql: checkPgsql,
  pop: popCheck(false),
  pops: popCheck(true),
  radius: checkRadius,
  simpletcp: checkSimpleTcp,
  sip: checkSip,
  smtp: checkSmtp,
  submission: checkSmtp,
};

const alwaysUp: ServiceCheck = () => Promise.resolve('checktype on: up without checking');
const neverChecked: ServiceCheck = () => Promise.reject(new CheckFailure('checktype off: not checked, server not added'));

export class DefaultCheckRunner implements CheckRunner {
  private readonly ping: ServiceCheck;

  constructor(options: CheckRunnerOptions = {}) {
    this.ping = pingCheck(options.pinger ?? new NoIcmpPinger());
  }

  run(spec: CheckSpec, target: CheckTarget, signal?: AbortSignal): Promise<CheckResult> {
    const check = this.checkFor(spec);
    return runAttempt(spec.timeoutMs, signal, (attempt) => check(attempt, spec, target));
  }

  private checkFor(spec: CheckSpec): ServiceCheck {
    switch (spec.type) {
      case 'negotiate':
        return NEGOTIATE[spec.service] ?? unsupportedCheck(`unknown service ${String(spec.service)}`);
      case 'connect':
        if (spec.protocol === 'udp') return this.ping; // ldirectord: connect on UDP means ping
        if (spec.protocol === 'sctp') return unsupportedCheck('connect checks over sctp are not supported');
        return checkTcpConnect; // tcp, and fwm (ldirectord connects with TCP)
      case 'ping':
        return this.ping;
      case 'external':
        return checkExternal;
      case 'on':
        return alwaysUp;
      case 'off':
        return neverChecked;
      default:
        return unsupportedCheck(`unknown checktype ${String(spec.type)}`);
    }
  }
}

export function createCheckRunner(options: CheckRunnerOptions = {}): CheckRunner {
  return new DefaultCheckRunner(options);
}
