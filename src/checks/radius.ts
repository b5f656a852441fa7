// radius: an Access-Request with `login`/`passwd` hidden by `secret`, over
// UDP. As ldirectord (Authen::Radius check_pwd) the server is up only on an
// Access-Accept whose authenticator proves it shares the secret; a reject
// means the configured login/passwd are wrong for this server.

import { randomBytes, randomInt } from 'node:crypto';
import { CheckFailure } from './attempt';
import { exchangeDatagram } from './datagram';
import { ACCESS_ACCEPT, codeName, decodeReply, encodeAccessRequest, RadiusFormatError, type RadiusReply } from './radius-codec';
import { localName, type ServiceCheck } from './service-check';

export const checkRadius: ServiceCheck = async (attempt, spec, target) => {
  const id = randomInt(0, 256);
  const authenticator = randomBytes(16);
  const secret = spec.secret ?? '';
  const payload = encodeAccessRequest({
    id,
    authenticator,
    secret,
    user: spec.login || 'hbd',
    password: spec.password ?? '',
    nasIdentifier: localName(),
  });
  const reply = await exchangeDatagram<RadiusReply>(attempt, {
    host: target.address,
    port: target.port,
    payload,
    sends: 3,
    phase: 'waiting for RADIUS reply',
    accept: (msg) => {
      try {
        const r = decodeReply(msg, authenticator, secret);
        return r.id === id ? r : undefined;
      } catch (e) {
        if (e instanceof RadiusFormatError) return undefined;
        throw e;
      }
    },
  });
  if (!reply.authentic || !reply.messageAuthenticatorOk) {
    throw new CheckFailure(`RADIUS ${codeName(reply.code)} failed authentication (wrong secret?)`);
  }
  if (reply.code !== ACCESS_ACCEPT) throw new CheckFailure(`RADIUS ${codeName(reply.code)} (login/passwd not accepted)`);
  return 'RADIUS Access-Accept';
};
