// Every diagnostic code the ldirectord configuration reader emits. Codes are
// stable: tools and tests branch on them, never on message text. The comment
// on each says when it fires; E = error, W = warning.

export const LdCode = {
  // the file
  LDCF_FILE_MISSING: 'LDCF_FILE_MISSING', // E the configuration cannot be found or read
  LDCF_NO_VIRTUAL: 'LDCF_NO_VIRTUAL', // W no virtual service: nothing to manage
  // line syntax
  LDCF_SYNTAX: 'LDCF_SYNTAX', // E a line that is not `directive = value`
  LDCF_BAD_INDENT: 'LDCF_BAD_INDENT', // E indented by fewer than 4 spaces, or indented outside a virtual service
  LDCF_UNKNOWN_DIRECTIVE: 'LDCF_UNKNOWN_DIRECTIVE', // E not an ldirectord directive
  LDCF_VIRTUAL_ONLY: 'LDCF_VIRTUAL_ONLY', // E a virtual-service directive at the top level
  LDCF_GLOBAL_ONLY: 'LDCF_GLOBAL_ONLY', // E a global directive inside a virtual service
  LDCF_DEPRECATED: 'LDCF_DEPRECATED', // E connecttimeout/timeout: removed, as ldirectord refuses them
  LDCF_DEPRECATED_WARN: 'LDCF_DEPRECATED_WARN', // W checkcount, bare `supervised`: still accepted
  LDCF_REPEATED: 'LDCF_REPEATED', // W a single-valued directive set again; the last one wins
  LDCF_MISSING_VALUE: 'LDCF_MISSING_VALUE', // E empty value where one is needed
  LDCF_IGNORED: 'LDCF_IGNORED', // W accepted for compatibility, hbd does nothing with it
  // values
  LDCF_BAD_TIME: 'LDCF_BAD_TIME', // E not a time (seconds, decimals, or a ms/us suffix)
  LDCF_BAD_BOOLEAN: 'LDCF_BAD_BOOLEAN', // E not yes/no
  LDCF_BAD_INTEGER: 'LDCF_BAD_INTEGER', // E not a whole number
  LDCF_OUT_OF_RANGE: 'LDCF_OUT_OF_RANGE', // E number outside the allowed range
  LDCF_BAD_VALUE: 'LDCF_BAD_VALUE', // E not one of the allowed words
  LDCF_BAD_QUOTES: 'LDCF_BAD_QUOTES', // E unbalanced double quotes
  // addresses
  LDCF_BAD_VIRTUAL: 'LDCF_BAD_VIRTUAL', // E virtual= is not IP:port, host:service, [IPv6]:port or a fwmark
  LDCF_FAMILY_MISMATCH: 'LDCF_FAMILY_MISMATCH', // E IPv6 under virtual/real/fallback, or IPv4 under the *6 forms
  LDCF_DUPLICATE_VIRTUAL: 'LDCF_DUPLICATE_VIRTUAL', // E the same virtual service twice
  LDCF_BAD_REAL: 'LDCF_BAD_REAL', // E real= line malformed
  LDCF_BAD_RANGE: 'LDCF_BAD_RANGE', // E an address range that is empty, reversed, too long or IPv6
  LDCF_DUPLICATE_REAL: 'LDCF_DUPLICATE_REAL', // W the same real server twice in a service; the first one counts
  LDCF_BAD_FALLBACK: 'LDCF_BAD_FALLBACK', // E fallback= malformed
  LDCF_RESOLVE: 'LDCF_RESOLVE', // E a host or service name that does not resolve
  LDCF_PORT_ZERO: 'LDCF_PORT_ZERO', // E port 0 on an IP service without persistence
  LDCF_PORT_IGNORED: 'LDCF_PORT_IGNORED', // W a real port differing from the virtual one under gate/ipip: IPVS uses the virtual port
  LDCF_NO_CHECK_PORT: 'LDCF_NO_CHECK_PORT', // E a fwmark service whose checks have no port (no checkport, real port or service port)
  // service settings
  LDCF_PROTOCOL_MISMATCH: 'LDCF_PROTOCOL_MISMATCH', // E protocol other than fwm for a fwmark, or fwm for an address
  LDCF_BAD_NETMASK: 'LDCF_BAD_NETMASK', // E netmask not a dotted quad (IPv4) or 1..128 (IPv6)
  LDCF_NETMASK_WITHOUT_PERSISTENT: 'LDCF_NETMASK_WITHOUT_PERSISTENT', // W netmask has no effect without persistent
  LDCF_OPS_NOT_UDP: 'LDCF_OPS_NOT_UDP', // W ops=yes only applies to UDP services
  LDCF_UNSUPPORTED_SERVICE: 'LDCF_UNSUPPORTED_SERVICE', // E a negotiate check of a service hbd cannot check (oracle)
  LDCF_CHECK_SPEC: 'LDCF_CHECK_SPEC', // E a check that cannot work as configured (bad receive regex, SQL without a query, ...)
  LDCF_EXTERNAL_PERL: 'LDCF_EXTERNAL_PERL', // W external-perl runs the command as a program
  // files and commands (filesystem checks only)
  LDCF_LOGFILE: 'LDCF_LOGFILE', // E logfile is neither an absolute path nor a syslog facility
  LDCF_MAINTENANCEDIR_MISSING: 'LDCF_MAINTENANCEDIR_MISSING', // W maintenancedir does not exist (yet)
  LDCF_COMMAND_NOT_EXECUTABLE: 'LDCF_COMMAND_NOT_EXECUTABLE', // W checkcommand/fallbackcommand/callback is not an executable file
  LDCF_MONITORFILE: 'LDCF_MONITORFILE', // E monitorfile cannot be opened for appending
  // the YAML form
  LDCF_YAML_SYNTAX: 'LDCF_YAML_SYNTAX', // E YAML parse error
  LDCF_YAML_BAD_TYPE: 'LDCF_YAML_BAD_TYPE', // E wrong kind of YAML value (map/list/scalar)
  LDCF_YAML_MISSING_KEY: 'LDCF_YAML_MISSING_KEY', // E a director without virtual/virtual6
} as const;

export type LdCode = (typeof LdCode)[keyof typeof LdCode];
