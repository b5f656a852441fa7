// checktype connect (and service none): a TCP connection that opens, then closes.

import { connectSocket } from './stream-conn';
import type { ServiceCheck } from './service-check';

export const checkTcpConnect: ServiceCheck = async (attempt, _spec, target) => {
  const socket = await connectSocket(attempt, { host: target.address, port: target.port });
  socket.destroy();
  return 'connected';
};
