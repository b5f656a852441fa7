// Every diagnostic code the configuration layer emits, in one place. Codes
// are stable: tools and tests branch on them, never on message text. The
// comment on each says when it fires; E = error, W = warning.

export const Code = {
  // ha.cf: syntax and directive values
  HACF_FILE_MISSING: 'HACF_FILE_MISSING', // E ha.cf cannot be read
  HACF_UNKNOWN_DIRECTIVE: 'HACF_UNKNOWN_DIRECTIVE', // E not a Heartbeat directive
  HACF_UDP_ALIAS: 'HACF_UDP_ALIAS', // W `udp` is the old name of `bcast`
  HACF_MISSING_VALUE: 'HACF_MISSING_VALUE', // W directive without a value (ignored, as Heartbeat does)
  HACF_EXTRA_VALUES: 'HACF_EXTRA_VALUES', // W single-valued directive given several values; the last wins
  HACF_EXTRA_FIELDS: 'HACF_EXTRA_FIELDS', // W trailing fields Heartbeat ignores on a whole-line directive
  HACF_REPEATED_DIRECTIVE: 'HACF_REPEATED_DIRECTIVE', // W single-valued directive set again; the last wins
  HACF_BAD_TIME: 'HACF_BAD_TIME', // E not in Heartbeat time syntax
  HACF_BAD_BOOLEAN: 'HACF_BAD_BOOLEAN', // E not a Heartbeat boolean
  HACF_BAD_INTEGER: 'HACF_BAD_INTEGER', // E not a whole number
  HACF_OUT_OF_RANGE: 'HACF_OUT_OF_RANGE', // E number outside the allowed range
  HACF_BAD_VALUE: 'HACF_BAD_VALUE', // E not one of the allowed words
  HACF_IGNORED: 'HACF_IGNORED', // W accepted for compatibility and ignored (class P)
  HACF_UNSUPPORTED: 'HACF_UNSUPPORTED', // E directive hbd rejects (class X)
  HACF_PACEMAKER: 'HACF_PACEMAKER', // E crm/pacemaker enabled
  HACF_AUTOJOIN: 'HACF_AUTOJOIN', // E autojoin other|any
  HACF_NICE_FAILBACK_OBSOLETE: 'HACF_NICE_FAILBACK_OBSOLETE', // W nice_failback and what it became
  HACF_AUTO_FAILBACK_LEGACY: 'HACF_AUTO_FAILBACK_LEGACY', // W auto_failback legacy in effect
  HACF_IPFAIL_WITH_LEGACY: 'HACF_IPFAIL_WITH_LEGACY', // W ipfail respawned while auto_failback is legacy
  // ha.cf: nodes
  HACF_BAD_NODE_NAME: 'HACF_BAD_NODE_NAME', // E node name too long or unusable
  HACF_DUPLICATE_NODE: 'HACF_DUPLICATE_NODE', // W node listed twice
  HACF_TOO_MANY_NODES: 'HACF_TOO_MANY_NODES', // E more than MAXNODE (100) nodes and ping nodes
  HACF_NAME_CONFLICT: 'HACF_NAME_CONFLICT', // E a ping node has the name of a node
  HACF_NO_NODES: 'HACF_NO_NODES', // E no node directive
  HACF_LOCAL_NODE_UNKNOWN: 'HACF_LOCAL_NODE_UNKNOWN', // E the current node is not a member
  // ha.cf: timing (init_config checks)
  HACF_DEADTIME_TOO_SMALL: 'HACF_DEADTIME_TOO_SMALL', // E deadtime <= 2 x keepalive
  HACF_INITDEAD_TOO_SMALL: 'HACF_INITDEAD_TOO_SMALL', // E initdead < deadtime
  HACF_INITDEAD_SHORT: 'HACF_INITDEAD_SHORT', // W initdead < 10 s
  HACF_DEADPING_TOO_SMALL: 'HACF_DEADPING_TOO_SMALL', // E deadping <= 2 x keepalive
  HACF_WARNTIME_NOT_BELOW_DEADTIME: 'HACF_WARNTIME_NOT_BELOW_DEADTIME', // W warntime >= deadtime never warns
  HACF_STANDBY_KEEPALIVE_TOO_LONG: 'HACF_STANDBY_KEEPALIVE_TOO_LONG', // E standby_keepalive >= warntime (stretched with standby_deadtime), or deadtime <= 2 x it
  HACF_STANDBY_KEEPALIVE_NO_EFFECT: 'HACF_STANDBY_KEEPALIVE_NO_EFFECT', // W standby_keepalive <= keepalive
  HACF_STANDBY_DEADTIME_NO_EFFECT: 'HACF_STANDBY_DEADTIME_NO_EFFECT', // W standby_deadtime <= deadtime
  HACF_STANDBY_DEADTIME_NEEDS_KEEPALIVE: 'HACF_STANDBY_DEADTIME_NEEDS_KEEPALIVE', // E standby_deadtime without a standby_keepalive > keepalive
  HACF_STANDBY_DEADTIME_TOO_SHORT: 'HACF_STANDBY_DEADTIME_TOO_SHORT', // E standby_deadtime <= 2 x standby_keepalive
  // ha.cf: media
  HACF_NO_MEDIA: 'HACF_NO_MEDIA', // E no heartbeat medium
  HACF_MEDIUM_SYNTAX: 'HACF_MEDIUM_SYNTAX', // E a medium line lacks a field
  HACF_BAD_INTERFACE: 'HACF_BAD_INTERFACE', // E not a usable interface name
  HACF_BAD_ADDRESS: 'HACF_BAD_ADDRESS', // E not a valid address for this medium
  HACF_BAD_PORT: 'HACF_BAD_PORT', // E UDP port outside 1..65535
  HACF_MCAST_GROUP: 'HACF_MCAST_GROUP', // E mcast group not class D / mcast6 group not usable
  HACF_MCAST_TTL: 'HACF_MCAST_TTL', // E mcast ttl / mcast6 hops outside 0..4
  HACF_MCAST_LOOP: 'HACF_MCAST_LOOP', // E mcast loop not 0 or 1
  HACF_UDPPORT_AFTER_MEDIA: 'HACF_UDPPORT_AFTER_MEDIA', // W udpport after the media that already took the port
  HACF_UDPPORT_CONFLICT: 'HACF_UDPPORT_CONFLICT', // E bcast/ucast/ucast6 would use different ports
  HACF_BAD_BAUD: 'HACF_BAD_BAUD', // E baud not in the allowed list
  HACF_BAUD_REPEATED: 'HACF_BAUD_REPEATED', // E baud given twice
  HACF_BAUD_AFTER_SERIAL: 'HACF_BAUD_AFTER_SERIAL', // W baud after serial: serial keeps 19200
  HACF_SERIAL_PATH: 'HACF_SERIAL_PATH', // E serial port not an absolute path
  HACF_SERIAL_MISSING: 'HACF_SERIAL_MISSING', // E serial port does not exist (filesystem check)
  HACF_SERIAL_NOT_TTY: 'HACF_SERIAL_NOT_TTY', // E serial port not a character device (filesystem check)
  HACF_PING_GROUP_SYNTAX: 'HACF_PING_GROUP_SYNTAX', // E ping_group without name or address
  // ha.cf: processes, api, misc
  HACF_RESPAWN_SYNTAX: 'HACF_RESPAWN_SYNTAX', // E respawn/failfast without user or command
  HACF_RESPAWN_NOT_ABSOLUTE: 'HACF_RESPAWN_NOT_ABSOLUTE', // E command not a full path
  HACF_RESPAWN_IPFAIL_BUILTIN: 'HACF_RESPAWN_IPFAIL_BUILTIN', // W respawn of ipfail: hbd's built-in ipfail is used instead
  HACF_RESPAWN_NOT_EXECUTABLE: 'HACF_RESPAWN_NOT_EXECUTABLE', // E command missing or not executable (filesystem check)
  HACF_RESPAWN_UNKNOWN_USER: 'HACF_RESPAWN_UNKNOWN_USER', // W user not in /etc/passwd (filesystem check)
  HACF_APIAUTH_SYNTAX: 'HACF_APIAUTH_SYNTAX', // E apiauth line malformed
  HACF_APIAUTH_DUPLICATE: 'HACF_APIAUTH_DUPLICATE', // E apiauth for the same client twice
  HACF_ENV_SYNTAX: 'HACF_ENV_SYNTAX', // E env value not NAME=value
  HACF_WATCHDOG_REPEATED: 'HACF_WATCHDOG_REPEATED', // E watchdog given twice
  HACF_STONITH_SYNTAX: 'HACF_STONITH_SYNTAX', // E stonith/stonith_host lacks a field
  HACF_STONITH_HOST_UNKNOWN: 'HACF_STONITH_HOST_UNKNOWN', // W stonith_host names neither * nor a node

  // authkeys
  AUTHKEYS_FILE_MISSING: 'AUTHKEYS_FILE_MISSING', // E authkeys cannot be read
  AUTHKEYS_BAD_PERMISSIONS: 'AUTHKEYS_BAD_PERMISSIONS', // E readable by group or others
  AUTHKEYS_BAD_AUTH_LINE: 'AUTHKEYS_BAD_AUTH_LINE', // E line starting with `a` is not `auth N`
  AUTHKEYS_BAD_LINE: 'AUTHKEYS_BAD_LINE', // E line is not `N method [key]`
  AUTHKEYS_BAD_INDEX: 'AUTHKEYS_BAD_INDEX', // E index outside 0..15
  AUTHKEYS_UNKNOWN_METHOD: 'AUTHKEYS_UNKNOWN_METHOD', // E method not crc|md5|sha1
  AUTHKEYS_KEY_NOT_ALLOWED: 'AUTHKEYS_KEY_NOT_ALLOWED', // E crc with a key
  AUTHKEYS_KEY_MISSING: 'AUTHKEYS_KEY_MISSING', // E md5/sha1 without a key
  AUTHKEYS_DUPLICATE_INDEX: 'AUTHKEYS_DUPLICATE_INDEX', // E the same index twice
  AUTHKEYS_DUPLICATE_AUTH: 'AUTHKEYS_DUPLICATE_AUTH', // E two `auth` lines
  AUTHKEYS_NO_AUTH: 'AUTHKEYS_NO_AUTH', // E no `auth N` line
  AUTHKEYS_AUTH_KEY_NOT_FOUND: 'AUTHKEYS_AUTH_KEY_NOT_FOUND', // E `auth N` names no entry
  AUTHKEYS_AUTH_AFTER_KEY: 'AUTHKEYS_AUTH_AFTER_KEY', // E `auth N` comes after entry N (Heartbeat refuses it)
  AUTHKEYS_TRAILING_IGNORED: 'AUTHKEYS_TRAILING_IGNORED', // W text after the key is ignored
  AUTHKEYS_CRC_NO_SECURITY: 'AUTHKEYS_CRC_NO_SECURITY', // W signing with crc

  // haresources
  HARES_FILE_MISSING: 'HARES_FILE_MISSING', // W no haresources: no resource groups
  HARES_BAD_NODE: 'HARES_BAD_NODE', // E owner is not a node
  HARES_NO_RESOURCES: 'HARES_NO_RESOURCES', // E a line with an owner only
  HARES_DUPLICATE_KEY: 'HARES_DUPLICATE_KEY', // E two groups with the same first resource
  HARES_BAD_RESOURCE_NAME: 'HARES_BAD_RESOURCE_NAME', // E empty resource name, one containing `/` or `:`, or blanks (YAML)
  HARES_EMPTY_ARGUMENT: 'HARES_EMPTY_ARGUMENT', // W empty `::` argument dropped
  HARES_ARG_COUNT: 'HARES_ARG_COUNT', // E built-in resource with the wrong number of arguments
  HARES_BAD_ARGUMENT: 'HARES_BAD_ARGUMENT', // E built-in resource argument malformed
  HARES_IPV6_DOUBLE_COLON: 'HARES_IPV6_DOUBLE_COLON', // E IPv6 address with `::` split into arguments
  HARES_LABEL_IGNORED: 'HARES_LABEL_IGNORED', // W IPaddr ignores an interface label
  HARES_SCRIPT_NOT_FOUND: 'HARES_SCRIPT_NOT_FOUND', // E no executable script (filesystem check)
  HARES_LDIRECTORD_CONFIG_NOT_FOUND: 'HARES_LDIRECTORD_CONFIG_NOT_FOUND', // E ldirectord config missing (filesystem check)
  HARES_COMMENT_IN_CONTINUATION: 'HARES_COMMENT_IN_CONTINUATION', // W Heartbeat keeps comments on continued lines as resources
  HARES_TRAILING_BACKSLASH: 'HARES_TRAILING_BACKSLASH', // W the file ends with a continuation
  HARES_MORE_THAN_TWO_NODES: 'HARES_MORE_THAN_TWO_NODES', // W haresources mode is two-node only

  // YAML
  YAML_FILE_MISSING: 'YAML_FILE_MISSING', // E the file cannot be read
  YAML_SYNTAX: 'YAML_SYNTAX', // E YAML parse error
  YAML_UNKNOWN_KEY: 'YAML_UNKNOWN_KEY', // E key not in the schema
  YAML_BAD_TYPE: 'YAML_BAD_TYPE', // E wrong kind of value (map/list/scalar)
  YAML_MISSING_KEY: 'YAML_MISSING_KEY', // E required key absent
  YAML_USE_STRUCTURED_KEY: 'YAML_USE_STRUCTURED_KEY', // E an ha.cf directive that YAML writes elsewhere
  YAML_SECRETS_READABLE: 'YAML_SECRETS_READABLE', // W file with md5/sha1 keys readable by group or others
} as const;

export type Code = (typeof Code)[keyof typeof Code];
