// ftp: banner 220, USER/PASS (anonymous by default, as ldirectord), and, if
// `request` names a file, a passive binary RETR whose content must match
// `receive`; then QUIT. ldirectord's check_ftp ignores every step's outcome
// and only matches `receive` against whatever it fetched, so an empty
// receive passes even with the server down; here every step must succeed.

import { CheckFailure } from './attempt';
import { type CodedReply, command, expectCode, readCodedReply } from './coded-reply';
import { compileReceive, mismatch } from './receive';
import { localName, streamTarget, type ServiceCheck } from './service-check';
import { connectSocket, openStream, StreamConn } from './stream-conn';

export const checkFtp: ServiceCheck = async (attempt, spec, target) => {
  const pattern = compileReceive(spec.receive);
  // A path, kept as given; ldirectord's default request "/" means no file.
  const file = spec.request === '/' ? '' : spec.request ?? '';
  if (!pattern.any && file === '') throw new CheckFailure('ftp receive needs request (a file to RETR)');

  const conn = await openStream(attempt, streamTarget(spec, target, false));
  let banner = await readCodedReply(conn, 'waiting for banner');
  while (banner.code === 120) banner = await readCodedReply(conn, 'waiting for banner'); // "ready in n minutes"
  expectCode(banner, [220], 'FTP banner');

  const user = spec.login || 'anonymous';
  let login = await command(conn, `USER ${user}`, 'waiting for USER reply');
  if (login.code === 331) {
    login = await command(conn, `PASS ${spec.password || `ldirectord@${localName()}`}`, 'waiting for PASS reply');
  }
  expectCode(login, [230, 202], 'FTP login failed');
  if (file === '') {
    await conn.goodbye('QUIT\r\n');
    return `FTP login ${login.code}`;
  }

  expectCode(await command(conn, 'TYPE I', 'waiting for TYPE reply'), [200], 'FTP TYPE I refused');
  const port = await passivePort(conn);
  // The data connection goes to the control connection's peer, whatever
  // address a 227 reply names (NAT, and no FTP bounce).
  const dataSocket = await connectSocket(attempt, { host: conn.remoteAddress ?? target.address, port });
  const data = new StreamConn(attempt, dataSocket);
  expectCode(await command(conn, `RETR ${file}`, 'waiting for RETR reply'), [125, 150], `FTP RETR ${file} failed`);
  const content = await data.readToEnd('reading file');
  data.close();
  if (content.complete) {
    expectCode(await readCodedReply(conn, 'waiting for end of transfer'), [226, 250], 'FTP transfer failed');
  }
  await conn.goodbye('QUIT\r\n');
  if (!pattern.test(content.data.toString('utf8'))) throw mismatch(pattern, `the file ${file}`);
  return `FTP RETR ${file}: ${content.data.length} bytes`;
};

/** EPSV (RFC 2428, works for IPv6 too), falling back to PASV. */
async function passivePort(conn: StreamConn): Promise<number> {
  const epsv = await command(conn, 'EPSV', 'waiting for EPSV reply');
  if (epsv.code === 229) {
    const m = /\(([\x21-\x7e])\1\1(\d+)\1\)/.exec(epsv.text);
    if (m?.[2]) return Number(m[2]);
  }
  const pasv: CodedReply = await command(conn, 'PASV', 'waiting for PASV reply');
  expectCode(pasv, [227], 'FTP passive mode refused');
  const m = /(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)/.exec(pasv.text);
  if (!m) throw new CheckFailure(`FTP PASV reply without an address: ${pasv.text}`);
  return Number(m[5]) * 256 + Number(m[6]);
}
