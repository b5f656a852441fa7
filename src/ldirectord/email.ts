// Email alerts, as ldirectord sends them (ld_emailalert_send, _resend):
//   - when a real server goes down ("Deleted real server: ..." or, quiescent,
//     "Quiescent real server: ... (Weight set to 0)") and when it comes back
//     ("Restored real server: ... (Weight set to N)");
//   - while a server stays down, "Inaccessible real server: ..." again every
//     emailalertfreq (0 = never);
//   - only in the daemon phases emailalertstatus lists.
// Best effort: a failed send is logged and never delays the director.

import * as os from 'node:os';
import type { Clock } from './clock';
import type { DirectorLogger } from './events';
import type { DaemonPhase, VirtualService } from './model';
import { type MailSender, smtpSend } from './smtp';

const SEND_TIMEOUT_MS = 10_000;

interface DownAlert {
  readonly v: VirtualService;
  readonly id: string;
  lastSent: number;
}

export class EmailAlerts {
  private readonly down = new Map<string, DownAlert>();

  constructor(
    private readonly clock: Clock,
    private readonly log: DirectorLogger,
    private readonly sender: MailSender = smtpSend,
    private readonly hostname: string = os.hostname(),
  ) {}

  /** `RIP:PORT (VIP:PORT)`, ldirectord's id for a server in alerts. */
  static id(v: VirtualService, server: string): string {
    return `${server} (${v.id.replace(/^[a-z0-9]+:/, '')})`;
  }

  serverDown(v: VirtualService, server: string, quiescent: boolean, phase: DaemonPhase): void {
    const id = EmailAlerts.id(v, server);
    const subject = quiescent ? `Quiescent real server: ${id} (Weight set to 0)` : `Deleted real server: ${id}`;
    if (v.email.freqMs > 0) this.down.set(id, { v, id, lastSent: this.clock.now() });
    this.send(v, subject, phase);
  }

  serverUp(v: VirtualService, server: string, weight: number, phase: DaemonPhase): void {
    const id = EmailAlerts.id(v, server);
    this.down.delete(id);
    this.send(v, `Restored real server: ${id} (Weight set to ${weight})`, phase);
  }

  /** Forget servers of services that are gone (after a reload). */
  retain(virtualIds: ReadonlySet<string>): void {
    for (const [id, a] of this.down) if (!virtualIds.has(a.v.id)) this.down.delete(id);
  }

  /** Resends for servers still down; call once per check round. */
  resend(phase: DaemonPhase): void {
    const now = this.clock.now();
    for (const a of this.down.values()) {
      if (now - a.lastSent < a.v.email.freqMs) continue;
      a.lastSent = now;
      this.send(a.v, `Inaccessible real server: ${a.id}`, phase);
    }
  }

  private send(v: VirtualService, subject: string, phase: DaemonPhase): void {
    const e = v.email;
    if (e.to === null || !e.phases.includes(phase)) return;
    const to = e.to.split(/\s*,\s*/).filter((a) => a !== '');
    const user = os.userInfo().username;
    const fullSubject = v.serviceName !== null ? `[${v.serviceName}] ${subject}` : subject;
    const details = [v.serviceName !== null ? `Service name: ${v.serviceName}` : '', v.comment !== null ? `Comment: ${v.comment}` : ''].filter((l) => l !== '');
    const body = [`ldirectord host: ${this.hostname}`, `Log-Message: ${subject}`, `Daemon-Status: ${phase}`, ...(details.length > 0 ? ['', ...details] : [])].join('\n');
    const message = {
      host: e.smtp ?? 'localhost',
      heloName: this.hostname,
      from: e.from ?? `${user}@${this.hostname}`,
      to,
      subject: fullSubject,
      body,
    };
    this.log.info({ to: e.to, subject: fullSubject }, `emailalert: ${subject}`);
    this.sender(message, SEND_TIMEOUT_MS).catch((err: unknown) => {
      this.log.warn({ to: e.to, smtp: message.host, err: err instanceof Error ? err.message : String(err) }, 'emailalert could not be sent');
    });
  }
}
