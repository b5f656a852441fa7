// The client's probe: one datagram to VIP:port every interval (default 1 ms).
// Answers are timed by the kernel in the client's capture, not here.
// Usage: node udp-prober.js VIP PORT [INTERVAL_MS]
import * as dgram from 'node:dgram';

const [vip, port, interval] = process.argv.slice(2);
if (!vip || !port) {
  process.stderr.write('usage: udp-prober VIP PORT [INTERVAL_MS]\n');
  process.exit(2);
}
const sock = dgram.createSocket('udp4');
let seq = 0;
const buf = Buffer.alloc(4);
// Sends fail with EHOSTUNREACH while the VIP has no ARP entry; that is the outage, not an error.
sock.on('error', () => undefined);
sock.bind(0, () => {
  setInterval(() => {
    buf.writeUInt32BE(seq++ >>> 0);
    sock.send(buf, Number(port), vip, () => undefined);
  }, Number(interval ?? '1'));
});
