// monitorfile: one line per check result, as ldirectord writes it:
//   [Sat Nov 22 05:03:00 2025] [PID] RIP PORT [up|down] MESSAGE
// with `%`, `|`, CR and LF in the message escaped as %xx.

import * as fs from 'node:fs';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Perl's scalar localtime(): `Sat Nov 22 05:03:00 2025`. */
export function perlLocaltime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getDay()] ?? ''} ${MONTHS[d.getMonth()] ?? ''} ${String(d.getDate()).padStart(2, ' ')} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${d.getFullYear()}`;
}

export function monitorLine(at: number, pid: number, address: string, port: number, up: boolean, message: string): string {
  const escaped = message.replace(/[%|\r\n]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `[${perlLocaltime(at)}] [${pid}] ${address} ${port} [${up ? 'up' : 'down'}] ${escaped}\n`;
}

export async function appendMonitorLine(file: string, line: string): Promise<void> {
  await fs.promises.appendFile(file, line);
}
