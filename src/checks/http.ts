// http, https and http_proxy negotiate checks, as ldirectord's check_http:
// the final status must be 2xx (LWP's is_success) and, with GET, the body
// must match `receive`. With HEAD there is no body, so `receive` is matched
// against the status line and headers instead (ldirectord would match an
// empty body). Redirects are followed up to 7 times, LWP's default; one
// that stays on the host we asked for goes back to this real server (not
// out through the VIP), any other goes where the Location says, as LWP.

import { CheckFailure } from './attempt';
import { httpExchange, type HttpReply } from './http-exchange';
import { compileReceive, mismatch, type ReceivePattern } from './receive';
import { hostPart, urlHost, type ServiceCheck } from './service-check';
import { connectSocket } from './stream-conn';
import type { CheckSpec, CheckTarget } from './types';

const MAX_REDIRECTS = 7;

type HttpService = 'http' | 'https' | 'http_proxy';

/** Where one request goes and what it asks for. */
interface Hop {
  /** The URL requested, for resolving a relative Location. */
  readonly url: URL;
  readonly connectHost: string;
  readonly connectPort: number;
  readonly tls: boolean;
  /** Request target: "/path?query", or the absolute URI through a proxy. */
  readonly target: string;
  readonly host: string;
}

export function httpCheck(service: HttpService): ServiceCheck {
  return async (attempt, spec, target) => {
    const method = spec.httpMethod ?? 'GET';
    const pattern = compileReceive(spec.receive);
    let hop = firstHop(service, spec, target);
    for (let redirects = 0; ; redirects++) {
      const hostname = bare(hop.url.hostname);
      const socket = await connectSocket(attempt, {
        host: hop.connectHost,
        port: hop.connectPort,
        ...(hop.tls ? { tls: { servername: hostname } } : {}),
      });
      const reply = await httpExchange(attempt, socket, { method, target: hop.target, host: hop.host });
      socket.destroy();
      if (isRedirect(reply) && reply.location && redirects < MAX_REDIRECTS) {
        hop = nextHop(service, hop, reply.location, target);
        continue;
      }
      return judge(reply, method, pattern, redirects > 0 ? hop.url.href : undefined);
    }
  };
}

function firstHop(service: HttpService, spec: CheckSpec, target: CheckTarget): Hop {
  const request = spec.request || '/';
  if (service === 'http_proxy') {
    // ldirectord stores requests with a leading "/"; the proxy URI follows it.
    const uri = request.replace(/^\/(?=[a-z][a-z0-9+.-]*:)/i, '');
    if (!/^http:\/\//i.test(uri)) throw new CheckFailure(`http_proxy request must be an absolute http:// URI, not "${request}"`);
    const url = parseUrl(uri, 'http_proxy request');
    return { url, connectHost: target.address, connectPort: target.port, tls: false, target: url.href, host: url.host };
  }
  const scheme = service;
  // An absolute URL (after ldirectord's "/") gives the path and, without virtualhost, the Host;
  // the connection still goes to this real server.
  const uri = request.replace(/^\/(?=https?:\/\/)/i, '');
  const absolute = /^https?:\/\//i.test(uri) ? parseUrl(uri, 'request') : undefined;
  const path = absolute ? absolute.pathname + absolute.search : request.startsWith('/') ? request : `/${request}`;
  // Host: virtualhost, else the host of an absolute request, else the real server's address (ldirectord).
  const host = spec.virtualHost || absolute?.host || urlHost(target.address);
  // The port is the one we connect to, so a relative redirect comes back here.
  const url = parseUrl(`${scheme}://${urlHost(hostPart(host))}:${target.port}${path}`, 'virtualhost/request');
  // The URL escapes what must be (LWP does too): "/a b" is sent as "/a%20b".
  return { url, connectHost: target.address, connectPort: target.port, tls: scheme === 'https', target: url.pathname + url.search, host };
}

function nextHop(service: HttpService, prev: Hop, location: string, target: CheckTarget): Hop {
  const url = parseUrl(new URL(location, prev.url).href, 'redirect Location');
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CheckFailure(`redirect to unsupported URL ${url.href}`);
  const tls = url.protocol === 'https:';
  const port = Number(url.port) || (tls ? 443 : 80);
  const path = url.pathname + url.search;
  if (service === 'http_proxy' && !tls) {
    return { url, connectHost: prev.connectHost, connectPort: prev.connectPort, tls, target: url.href, host: url.host };
  }
  const sameServer = service !== 'http_proxy' && bare(url.hostname) === bare(prev.url.hostname);
  const connectHost = sameServer ? target.address : bare(url.hostname);
  // Same name and port as before: keep the Host header we sent (virtualhost as configured).
  const host = sameServer && url.port === prev.url.port && tls === prev.tls ? prev.host : url.host;
  return { url, connectHost, connectPort: port, tls, target: path, host };
}

function judge(reply: HttpReply, method: 'GET' | 'HEAD', pattern: ReceivePattern, redirectedTo: string | undefined): string {
  const via = redirectedTo ? ` after redirect to ${redirectedTo}` : '';
  if (reply.status < 200 || reply.status > 299) {
    const limit = isRedirect(reply) && reply.location ? ' (too many redirects)' : '';
    throw new CheckFailure(`HTTP ${reply.status}${limit}${via}`);
  }
  if (!pattern.any) {
    if (method === 'HEAD') {
      if (!pattern.test(reply.head)) throw mismatch(pattern, `the response headers${via}`);
    } else if (!pattern.test(reply.body)) {
      throw mismatch(pattern, `${reply.complete ? 'the body' : 'the first 1 MiB of the body'}${via}`);
    }
  }
  return `HTTP ${reply.status}${via}`;
}

function isRedirect(reply: HttpReply): boolean {
  return [301, 302, 303, 307, 308].includes(reply.status);
}

function parseUrl(text: string, what: string): URL {
  try {
    return new URL(text);
  } catch {
    throw new CheckFailure(`invalid ${what}: "${text}"`);
  }
}

/** URL hostnames keep IPv6 brackets; sockets and SNI want them off. */
function bare(hostname: string): string {
  return hostname.replace(/^\[(.*)\]$/, '$1');
}
