// The "service" on each director: answers every datagram to VIP:port with the
// director's name, so the client knows who served it. Bound to the VIP before
// the VIP exists (net.ipv4.ip_nonlocal_bind=1 in the director's namespace),
// so it answers the moment the address arrives, with the VIP as source.
// Usage: node udp-responder.js VIP PORT NAME
import * as dgram from 'node:dgram';

const [vip, port, name] = process.argv.slice(2);
if (!vip || !port || !name) {
  process.stderr.write('usage: udp-responder VIP PORT NAME\n');
  process.exit(2);
}
const reply = Buffer.from(name);
const sock = dgram.createSocket('udp4');
sock.on('message', (_msg, from) => sock.send(reply, from.port, from.address));
sock.on('error', (e) => {
  process.stderr.write(`udp-responder: ${e.message}\n`);
  process.exit(1);
});
sock.bind(Number(port), vip);
