// ldirectord's `receive`: a regular expression the response must contain.
// Written for Perl, evaluated here in JavaScript syntax. One Perl habit is
// kept: without /m, Perl's `$` also matches before a final newline, so
// /^OK$/ matches "OK\n"; we try the text with one trailing newline removed.

import { CheckFailure } from './attempt';

export interface ReceivePattern {
  /** The regex as configured, for messages ("receive /foo/ did not match"). */
  readonly source: string;
  /** True when no receive was configured: anything matches. */
  readonly any: boolean;
  test(text: string): boolean;
}

/** Compiles `receive`; an invalid pattern is a CheckFailure (config should have caught it). */
export function compileReceive(receive: string | undefined): ReceivePattern {
  const source = receive ?? '';
  if (source === '') return { source, any: true, test: () => true };
  let re: RegExp;
  try {
    re = new RegExp(source);
  } catch (e) {
    throw new CheckFailure(`invalid receive regex /${source}/: ${e instanceof Error ? e.message : String(e)}`);
  }
  return {
    source,
    any: false,
    test: (text) => re.test(text) || (text.endsWith('\n') && re.test(text.replace(/\r?\n$/, ''))),
  };
}

/** The syntax error in a receive pattern, or undefined if it compiles. */
export function receiveSyntaxError(receive: string | undefined): string | undefined {
  try {
    compileReceive(receive);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

export function mismatch(pattern: ReceivePattern, what?: string): CheckFailure {
  return new CheckFailure(`receive /${pattern.source}/ did not match${what ? ` ${what}` : ''}`);
}
