// A minimal SMTP client for email alerts (RFC 5321: EHLO/HELO, MAIL, RCPT,
// DATA, QUIT), with one overall deadline. Plain text, no TLS or AUTH: like
// ldirectord's Net::SMTP use, it talks to a local or relay MTA.

import * as net from 'node:net';

export interface MailMessage {
  readonly host: string;
  readonly port?: number;
  readonly heloName: string;
  readonly from: string;
  readonly to: readonly string[];
  readonly subject: string;
  readonly body: string;
}

export type MailSender = (message: MailMessage, timeoutMs: number) => Promise<void>;

/** The message as sent after DATA: headers, body with CRLF line ends and dot-stuffing, then the end marker. */
export function formatMessage(m: MailMessage, date = new Date()): string {
  const headers = [`From: ${m.from}`, `To: ${m.to.join(', ')}`, `Subject: ${m.subject.replace(/[\r\n]+/g, ' ')}`, `Date: ${date.toUTCString()}`];
  const body = m.body.replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..');
  return `${headers.join('\r\n')}\r\n\r\n${body}\r\n.\r\n`;
}

export const smtpSend: MailSender = (m, timeoutMs) =>
  new Promise((resolve, reject) => {
    const sock = net.connect({ host: m.host, port: m.port ?? 25 });
    let buffer = '';
    let waiting: ((reply: { code: number; text: string }) => void) | null = null;
    const fail = (why: string) => {
      sock.destroy();
      reject(new Error(`SMTP ${m.host}: ${why}`));
    };
    const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms`), timeoutMs);
    sock.on('error', (e) => {
      clearTimeout(timer);
      fail(e.message);
    });
    sock.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      // A reply ends with a line "NNN text" (a dash after the code means more lines follow).
      const lines = buffer.split('\r\n');
      const lastFull = lines.slice(0, -1);
      const end = lastFull.findIndex((l) => /^\d{3}( |$)/.test(l));
      if (end < 0 || waiting === null) return;
      const replyLines = lastFull.slice(0, end + 1);
      buffer = lines.slice(end + 1).join('\r\n');
      const code = Number(replyLines[end]?.slice(0, 3));
      const w = waiting;
      waiting = null;
      w({ code, text: replyLines.join(' ') });
    });
    const expect = (send: string | null, ok: (code: number) => boolean): Promise<{ code: number; text: string }> =>
      new Promise((res, rej) => {
        waiting = (reply) => (ok(reply.code) ? res(reply) : rej(new Error(`SMTP ${m.host}: ${send?.split(' ')[0] ?? 'greeting'} refused: ${reply.text}`)));
        if (send !== null) sock.write(`${send}\r\n`);
      });
    const pos = (c: number) => c >= 200 && c < 400;
    void (async () => {
      await expect(null, (c) => c === 220);
      try {
        await expect(`EHLO ${m.heloName}`, (c) => c === 250);
      } catch {
        await expect(`HELO ${m.heloName}`, (c) => c === 250);
      }
      await expect(`MAIL FROM:<${m.from}>`, pos);
      for (const rcpt of m.to) await expect(`RCPT TO:<${rcpt}>`, pos);
      await expect('DATA', (c) => c === 354);
      await expect(formatMessage(m).slice(0, -2), pos);
      sock.write('QUIT\r\n');
      sock.end();
    })().then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (e: Error) => {
        clearTimeout(timer);
        sock.destroy();
        reject(e);
      },
    );
  });
