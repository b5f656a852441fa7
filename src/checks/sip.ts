// sip: an OPTIONS request, over UDP or TCP as the virtual service; a final
// 200 means up (ldirectord wants "SIP/2.0 200 OK"). Provisional 1xx
// replies are skipped; UDP replies that do not carry our Call-ID are ignored.

import { randomBytes } from 'node:crypto';
import { type Attempt, CheckFailure } from './attempt';
import { clip } from './coded-reply';
import { exchangeDatagram } from './datagram';
import { localName, streamTarget, urlHost, type ServiceCheck } from './service-check';
import { openStream } from './stream-conn';
import type { CheckSpec, CheckTarget } from './types';

interface Local {
  readonly address: string;
  readonly port: number;
}

export const checkSip: ServiceCheck = async (attempt, spec, target) => {
  const user = spec.login || `ldirectord@${localName()}`;
  const callId = randomBytes(8).toString('hex');
  const status = spec.protocol === 'udp'
    ? await optionsUdp(attempt, target, user, callId)
    : await optionsTcp(attempt, spec, target, user, callId);
  const code = /^SIP\/2\.0 (\d{3})/.exec(status)?.[1];
  if (code !== '200') throw new CheckFailure(`SIP reply: ${clip(status)}`);
  return 'SIP 200';
};

export function optionsRequest(user: string, transport: 'UDP' | 'TCP', local: Local, callId: string): string {
  const branch = `z9hG4bK${randomBytes(6).toString('hex')}`;
  return [
    `OPTIONS sip:${user} SIP/2.0`,
    `Via: SIP/2.0/${transport} ${urlHost(local.address)}:${local.port};branch=${branch}`,
    'Max-Forwards: 70',
    `To: <sip:${user}>`,
    `From: <sip:${user}>;tag=${randomBytes(4).toString('hex')}`,
    `Call-ID: ${callId}`,
    'CSeq: 1 OPTIONS',
    `Contact: <sip:${user}>`,
    'Accept: application/sdp',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

/** The status line of the first final reply to our Call-ID. */
function optionsUdp(attempt: Attempt, target: CheckTarget, user: string, callId: string): Promise<string> {
  return exchangeDatagram(attempt, {
    host: target.address,
    port: target.port,
    payload: (local) => Buffer.from(optionsRequest(user, 'UDP', local, callId)),
    sends: 3,
    phase: 'waiting for SIP reply',
    accept: (msg) => {
      const text = msg.toString('utf8');
      const statusLine = text.split(/\r?\n/, 1)[0] ?? '';
      if (!new RegExp(`^(Call-ID|i)[ \\t]*:[ \\t]*${callId}[ \\t]*$`, 'im').test(text)) return undefined;
      return /^SIP\/2\.0 1\d\d/.test(statusLine) ? undefined : statusLine;
    },
  });
}

async function optionsTcp(attempt: Attempt, spec: CheckSpec, target: CheckTarget, user: string, callId: string): Promise<string> {
  const conn = await openStream(attempt, streamTarget(spec, target, false));
  const local = { address: conn.socket.localAddress ?? '0.0.0.0', port: conn.socket.localPort ?? 0 };
  conn.write(optionsRequest(user, 'TCP', local, callId));
  for (;;) {
    const statusLine = await conn.readLine('waiting for SIP reply');
    if (!/^SIP\/2\.0 1\d\d/.test(statusLine)) {
      conn.close();
      return statusLine;
    }
    // Skip the provisional reply's headers (it has no body).
    while ((await conn.readLine('reading SIP reply')) !== '');
  }
}
