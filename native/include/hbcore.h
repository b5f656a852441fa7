/*
 * hbcore.h - the whole C surface of the hbd native core.
 *
 * Plain C11, no Node headers.  The protocol functions are pure: they work on
 * caller-supplied memory, do no I/O, read no clocks and never call malloc
 * (OpenSSL allocates internally while computing an HMAC; nothing else does).
 * Only the process helpers at the end (syslog) touch the outside world.
 *
 * "§n" below = section n of the Heartbeat 3.0.6 wire specification
 * (heartbeat-wire.md), which this core implements.
 *
 * Conventions
 *   - names start with hb_ / HB_;
 *   - functions that build or encode return 0 / a length on success and a
 *     negative errno value on failure (-EINVAL bad argument, -ENOSPC caller
 *     buffer or message store too small, -EMSGSIZE over a protocol limit,
 *     -ENOENT no such key entry, -EIO OpenSSL failed);
 *   - functions that decode received bytes return an hb_drop_reason
 *     (HB_DROP_NONE = accepted) so every rejection has a name and a counter;
 *   - no global state: every function is reentrant and may run on any
 *     thread, given its own hb_msg / buffers (hb_keys can be shared read-only).
 */
#ifndef HBCORE_H
#define HBCORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ limits */

#define HB_MSG_MAX        262144u /* whole message, either framing (MAXMSG)  */
#define HB_MSG_MAX_FIELDS 64u     /* real v1 messages carry 9..16 fields     */
#define HB_NAME_MAX       255u    /* field name length                        */
#define HB_UUID_LEN       16u     /* srcuuid / destuuid are 16 raw bytes      */
#define HB_AUTH_ENTRIES   16u     /* authkeys entries 0..15                   */
#define HB_AUTH_KEY_MAX   1024u   /* longest authkeys key token accepted      */
#define HB_DIGEST_TEXT_MAX 41u    /* 40 hex digits (sha1) + NUL               */

/* ------------------------------------------- results of decoding (hb_recv.c) */

/* Why a received datagram was dropped.  Ordered like the ladder: cheap checks
 * first, the constant-time digest comparison last.  Never renumber: these
 * index counters. */
typedef enum hb_drop_reason {
    HB_DROP_NONE = 0,           /* accepted */
    HB_DROP_TOO_SHORT,          /* shorter than any framed message */
    HB_DROP_TOO_LONG,           /* over HB_MSG_MAX, or over the message store */
    HB_DROP_BAD_FRAMING,        /* neither "###\n" nor ">>>\n" at offset 0 */
    HB_DROP_TRUNCATED,          /* ends inside a field / before "%%%\n" or "<<<" */
    HB_DROP_PARSE_ERROR,        /* bad netstring length, missing ',', no "(T)",
                                   no '=' */
    HB_DROP_BAD_FIELD_TYPE,     /* "(T)" other than 0 or 1 */
    HB_DROP_BAD_NAME,           /* see hb_name_valid() */
    HB_DROP_BAD_VALUE,          /* NUL byte in a string value */
    HB_DROP_BAD_BASE64,         /* binary value not canonical padded base64 */
    HB_DROP_TOO_MANY_FIELDS,    /* more than HB_MSG_MAX_FIELDS */
    HB_DROP_TRAILING_DATA,      /* bytes after the trailer / the "<<<" line */
    HB_DROP_NO_AUTH,            /* no trailer (netstring) / no auth field */
    HB_DROP_AUTH_MALFORMED,     /* trailer or auth field is not "N digest" */
    HB_DROP_UNKNOWN_AUTH_INDEX, /* entry N is not configured locally */
    HB_DROP_NO_SIGNING_KEY,     /* local table has no `auth N` entry */
    HB_DROP_BAD_AUTH,           /* digest mismatch */
    HB_DROP_MISSING_FIELDS,     /* authentic but no t/src, or ts absent/0/not hex */
    HB_DROP_REASON_COUNT
} hb_drop_reason;

/* "none", "too_short", ... (stable, lowercase; for logs and counter names);
 * "unknown" for values outside the enum. */
const char *hb_drop_reason_name(int reason);

/* --------------------------------------------------------- CRC (hb_crc.c) */

/* Heartbeat's `crc` digest: POSIX cksum CRC-32 (poly 0x04C11DB7, MSB first,
 * init 0, final complement) WITHOUT cksum's length suffix.  crc("123456789")
 * = 0x765e7680.  Pass the previous return value as `crc` to continue a
 * running CRC; start with hb_crc32_init(). */
uint32_t hb_crc32_init(void);
uint32_t hb_crc32_update(uint32_t crc, const void *data, size_t len);
uint32_t hb_crc32_final(uint32_t crc);
uint32_t hb_crc32(const void *data, size_t len);

/* Prints a CRC like Heartbeat's "%lx": lowercase hex, no leading zeros.
 * Returns the number of characters written (1..8); `out` gets a NUL too. */
size_t hb_crc32_text(uint32_t crc, char out[9]);

/* ----------------------------------------------- authentication (hb_auth.c) */

typedef enum hb_auth_method {
    HB_AUTH_NONE = 0, /* entry not configured */
    HB_AUTH_CRC = 1,  /* no key, no security */
    HB_AUTH_MD5 = 2,  /* HMAC-MD5 */
    HB_AUTH_SHA1 = 3, /* HMAC-SHA1 */
} hb_auth_method;

typedef struct hb_auth_entry {
    hb_auth_method method;
    size_t key_len;
    uint8_t key[HB_AUTH_KEY_MAX];
} hb_auth_entry;

/* The authkeys file as a table: entry[n] for "n method key", and
 * sign_index = the `auth N` entry used to sign (and, by a Heartbeat quirk,
 * whose KEY checks every outer digest - see hb_verify_outer()). */
typedef struct hb_keys {
    int sign_index; /* -1 until hb_keys_set_signing() */
    hb_auth_entry entry[HB_AUTH_ENTRIES];
} hb_keys;

/* Empties the table (no entries, no signing entry). */
void hb_keys_init(hb_keys *keys);

/* Configures entry `index` (0..15).  crc must have no key; md5/sha1 need a
 * non-empty key of at most HB_AUTH_KEY_MAX bytes (the authkeys token).
 * HB_AUTH_NONE removes the entry.  -EINVAL on any rule violation. */
int hb_keys_set(hb_keys *keys, unsigned index, hb_auth_method method,
                const void *key, size_t key_len);

/* Selects the signing entry (authkeys `auth N`); -ENOENT if not configured. */
int hb_keys_set_signing(hb_keys *keys, unsigned index);

/* The configured entry `index`, or NULL when absent / out of range. */
const hb_auth_entry *hb_keys_entry(const hb_keys *keys, int index);

/* "crc" / "md5" / "sha1" <-> method (HB_AUTH_NONE for anything else). */
hb_auth_method hb_auth_method_from_name(const char *name);
const char *hb_auth_method_name(hb_auth_method method);

/* Digest text of data[0..len) with `method` and key: crc hex (%lx) or
 * lowercase hex HMAC.  Returns the text length (not counting the NUL written
 * after it) or -EINVAL (unknown method) / -EIO (OpenSSL failure). */
int hb_auth_digest(hb_auth_method method, const void *key, size_t key_len,
                   const void *data, size_t len, char out[HB_DIGEST_TEXT_MAX]);

/* Compares a received digest text with the expected one in constant time
 * for equal lengths (the length of a digest is not secret). */
bool hb_auth_digest_equal(const char *expected, size_t expected_len,
                          const char *received, size_t received_len);

/* -------------------------------------------------- messages (hb_msg.c) */

/* Field types as they appear in "(T)" on the wire.  Types 2..5 (struct,
 * list, compressed) exist in Heartbeat but never in haresources mode; the
 * decoders reject them with HB_DROP_BAD_FIELD_TYPE. */
typedef enum hb_field_type {
    HB_FIELD_STRING = 0, /* bytes without NUL */
    HB_FIELD_BINARY = 1, /* any bytes, base64 in the classic form */
} hb_field_type;

/* One field.  name and value point into the message's store and are both
 * followed by a NUL byte there, so string values can be used as C strings. */
typedef struct hb_field {
    const char *name;
    size_t name_len;
    const uint8_t *value;
    size_t value_len;
    hb_field_type type;
} hb_field;

/* An ordered list of fields whose bytes live in a caller-supplied store.
 * Order matters for both digests; lookups are by name, first match wins.
 * A store of N bytes always holds any message decoded from N wire bytes. */
typedef struct hb_msg {
    size_t nfields;
    hb_field field[HB_MSG_MAX_FIELDS];
    uint8_t *store;
    size_t store_cap;
    size_t store_used;
} hb_msg;

/* Binds an empty message to `store` (cap bytes).  No allocation. */
void hb_msg_init(hb_msg *msg, void *store, size_t cap);

/* Forgets all fields; the store is reused. */
void hb_msg_reset(hb_msg *msg);

/* True when `name` may be sent: 1..HB_NAME_MAX bytes, no '=', '\n' or NUL,
 * not starting with ">>>" (real nodes reject it), "<<<" (ends a message on a
 * serial link) or '(' (the classic "(T)" prefix) - so every legal message
 * survives both framings.  The decoders enforce the same rule. */
bool hb_name_valid(const char *name, size_t name_len);

/* Appends a field (duplicates allowed, like Heartbeat's ha_msg_add).
 * String values must not contain NUL.  -EINVAL / -ENOSPC / -EMSGSIZE. */
int hb_msg_add(hb_msg *msg, const char *name, hb_field_type type,
               const void *value, size_t value_len);
int hb_msg_add_str(hb_msg *msg, const char *name, const char *value);

/* Sets a field like Heartbeat's ha_msg_mod: replaces the value (and type)
 * of the first field called `name` in place, or appends it if absent. */
int hb_msg_set(hb_msg *msg, const char *name, hb_field_type type,
               const void *value, size_t value_len);
int hb_msg_set_str(hb_msg *msg, const char *name, const char *value);

/* The first field called `name`, or NULL. */
const hb_field *hb_msg_get(const hb_msg *msg, const char *name);

/* The value of the first STRING field called `name` as a C string, or NULL
 * (absent, or binary). */
const char *hb_msg_get_str(const hb_msg *msg, const char *name);

/* True for `NS_*` message types (no seq/ld; heartbeat-wire §5.1). */
bool hb_msg_is_ns(const hb_msg *msg);

/* The control fields the sending node adds to every message (§5.1).  The
 * caller supplies every value, so this stays pure (no clock, no /proc). */
typedef struct hb_control {
    const char *src;          /* node name (lowercase) */
    const uint8_t *srcuuid;   /* HB_UUID_LEN bytes */
    const uint8_t *destuuid;  /* HB_UUID_LEN bytes, or NULL when unknown */
    uint64_t seq;             /* sent as hex; ignored for NS_* */
    uint64_t hg;              /* generation, sent as hex */
    uint64_t ts;              /* wall-clock seconds, sent as hex */
    const char *ld;           /* /proc/loadavg text; ignored (may be NULL) for NS_* */
    unsigned ttl;             /* sent as decimal: nodes + hopfudge */
} hb_control;

/* Adds the control fields in Heartbeat's order: destuuid (only if the message
 * has `dest` and c->destuuid is set), src, srcuuid, seq, hg, ts, ld, ttl.
 * Ordinary messages get each one set (replacing an existing value in place);
 * NS_* messages get no seq/ld and only the fields they do not have yet.
 * The inner `auth` field comes last, from hb_msg_sign().
 * -EINVAL if the message has no string `t` or c lacks src/srcuuid (or ld
 * for an ordinary message); -ENOSPC / -EMSGSIZE from the store. */
int hb_msg_add_control_fields(hb_msg *msg, const hb_control *c);

/* ------------------------------------------ netstring framing (hb_netstring.c) */

/* The outer authentication netstring "LEN:N digest," after "%%%\n".
 * digest points into the decoded buffer. */
typedef struct hb_auth_token {
    int index;
    const char *digest;
    size_t digest_len;
} hb_auth_token;

/* Writes "###\n" + one netstring "LEN:(T)name=value," per field + "%%%\n"
 * (§2.1, without the trailer).  Returns the length or -ENOSPC/-EMSGSIZE. */
ssize_t hb_encode_netstring(const hb_msg *msg, uint8_t *out, size_t cap);

/* Decodes the netstring body at the start of buf into msg (reset first) and
 * sets *body_len to the length of "###\n...%%%\n".  Bytes after the body are
 * not looked at. */
hb_drop_reason hb_decode_netstring(hb_msg *msg, const uint8_t *buf, size_t len,
                        size_t *body_len);

/* Where the value of the first field called `name` sits in an encoded
 * netstring body ("###\n"...): its offset and length, or false.  A sender
 * that keeps a message encoded patches a value of unchanged length there (a
 * status heartbeat's seq). */
bool hb_netstring_find_value(const uint8_t *body, size_t len, const char *name, size_t *at, size_t *value_len);

/* Parses the auth trailer that must make up ALL of buf[0..len):
 * HB_DROP_NONE, NO_AUTH (len == 0), AUTH_MALFORMED or TRAILING_DATA. */
hb_drop_reason hb_parse_auth_trailer(const uint8_t *buf, size_t len, hb_auth_token *tok);

/* -------------------------------------------- classic framing (hb_classic.c) */

/* Writes ">>>\n" + "[(1)]name=value\n" per field + "<<<\n" (§2.2): string
 * values with '\n' as byte 0x13, binary values in base64.  Returns the
 * length or -ENOSPC/-EMSGSIZE. */
ssize_t hb_encode_classic(const hb_msg *msg, uint8_t *out, size_t cap);

/* Writes the text the inner `auth` field is computed over (§3.3): the classic
 * lines of every field except those named `auth`, without ">>>"/"<<<". */
ssize_t hb_encode_inner_text(const hb_msg *msg, uint8_t *out, size_t cap);

/* Decodes one classic message that starts at buf[0] with ">>>\n" into msg
 * (reset first); *used = bytes up to and including the "<<<\n" line.  Empty
 * lines are skipped; a '\r' stays part of the value (UDP semantics; the
 * serial reader drops CRs before this, like the tty's IGNCR). */
hb_drop_reason hb_decode_classic(hb_msg *msg, const uint8_t *buf, size_t len, size_t *used);

/* ---------------------------------------- signing and checking (hb_sign.c) */

/* Computes the inner digest with the signing entry and sets the `auth` field
 * to "N digest" (§3.3): an existing auth field keeps its place (ha_msg_mod),
 * otherwise it is appended; any further auth fields are removed, since a
 * receiver checks the last one.  -ENOENT without a signing entry. */
int hb_msg_sign(hb_msg *msg, const hb_keys *keys);

/* Builds a complete UDP datagram like Heartbeat 3.0.6: hb_msg_sign(), the
 * netstring body, then the outer trailer "LEN:N digest," over that body
 * (§3.4).  Returns the datagram length or a negative errno. */
ssize_t hb_encode_udp(hb_msg *msg, const hb_keys *keys, uint8_t *out, size_t cap);

/* The same with the inner `auth` field optional: ha.cf `msgfmt netstring`
 * makes Heartbeat leave it out (§2.1); receivers check the outer digest of a
 * netstring datagram only, so both forms are accepted everywhere. */
ssize_t hb_encode_udp_opt(hb_msg *msg, const hb_keys *keys, bool inner_auth, uint8_t *out, size_t cap);

/* Appends the outer trailer (§3.4) to the netstring body out[0..body_len),
 * signed with the signing entry.  Returns the datagram length or a negative
 * errno (-ENOENT without a signing entry, -EMSGSIZE, -ENOSPC). */
ssize_t hb_seal_netstring(const hb_keys *keys, uint8_t *out, size_t body_len, size_t cap);

/* Checks the outer digest of a netstring body exactly as Heartbeat does
 * (§3.5): entry tok->index must exist and selects the ALGORITHM, but the KEY
 * is always the signing entry's.  With identical authkeys everywhere this is
 * invisible; with different keys per entry, only the signing key verifies. */
hb_drop_reason hb_verify_outer(const hb_keys *keys, const uint8_t *body, size_t body_len,
                    const hb_auth_token *tok);

/* Checks the inner `auth` field (the last one, as Heartbeat does) over the
 * re-serialised fields, with entry N's own method and key (§3.5). */
hb_drop_reason hb_verify_inner(const hb_keys *keys, const hb_msg *msg);

/* ------------------------------------------------ receive ladder (hb_recv.c) */


typedef enum hb_framing {
    HB_FRAMING_UNKNOWN = 0,
    HB_FRAMING_NETSTRING = 1,
    HB_FRAMING_CLASSIC = 2,
} hb_framing;

/* What the ladder learnt, filled as far as it got (for logs and counters). */
typedef struct hb_recv_info {
    hb_framing framing;
    int auth_index; /* -1 if not reached */
} hb_recv_info;

/* The receive ladder for one UDP datagram (or one classic serial message),
 * decoded into msg (initialised with hb_msg_init; a store of `len` bytes is
 * enough):
 * size -> framing -> decode -> auth token -> known entry -> digest (constant
 * time) -> t/src/ts present.  Netstring datagrams are checked by the outer
 * digest only, classic ones by the inner `auth` field (§3.5).  On
 * HB_DROP_NONE msg holds the authentic message.  After a later rejection msg
 * may hold UNAUTHENTICATED fields: use them for log text only.  Sequence
 * numbers and generations (anti-replay) are checked elsewhere.  info may be
 * NULL. */
hb_drop_reason hb_receive(const hb_keys *keys, const uint8_t *buf, size_t len,
               hb_msg *msg, hb_recv_info *info);

/* ----------------------------- peers: sequence numbers, generations, rexmit */
/*
 * Receive side (hb_peer.c): one hb_peer per cluster node - including this
 * node itself, since every sent message is also processed locally - tracks
 * that node's generation and sequence numbers (§6.3, §6.4), the seqs still
 * missing and when to ask for them again (§6.5), and when to ack (§6.6).
 * Send side (hb_history.c): the datagrams this node sent, kept byte for
 * byte to answer NS_rexmit (§6.5).  Both are pure: fixed memory, no clock
 * (the caller passes monotonic milliseconds), no randomness of their own
 * (the caller passes random numbers), no I/O.  The engine sends and logs.
 */

#define HB_MISSING_MAX        500u /* missing seqs remembered per node (MAXMISSING)  */
#define HB_GAP_RESET_LIMIT    250u /* a jump losing more than this resets tracking   */
#define HB_ACK_DIV            10u  /* ack a node's seq when seq % 10 == its trigger   */
#define HB_REXMIT_DELAY_MS    250u /* default max_rexmit_delay                        */
#define HB_HISTORY_SLOTS      500u /* sent datagrams kept for retransmission (MAXMSGHIST) */
#define HB_HISTORY_DATAGRAM_MAX 1024u /* bytes kept per datagram; v1 sends 200-330   */
#define HB_REXMIT_BATCH       50u  /* answers per NS_rexmit request (MAX_REXMIT_BATCH) */
#define HB_FLOW_CONTROL_LIMIT 250u /* unacked sent messages before clients pause      */

/* What to do with a sequenced (non-NS_) message, decided from its hg and seq.
 * Never renumber: these index counters. */
typedef enum hb_seq_verdict {
    HB_SEQ_ACCEPT = 0,   /* new: process it (if it is addressed to us, §6.3) */
    HB_SEQ_DUPLICATE,    /* seq == the last one: drop, but the copy still proves
                            the link it came on is alive (§4.1, §6.3) */
    HB_SEQ_OLD,          /* below the last seq and not a remembered gap: drop */
    HB_SEQ_REPLAY,       /* hg lower than seen: drop, ERROR "attempted replay attack" */
    HB_SEQ_STALE_STATUS, /* status from a node considered dead, same hg, seq not
                            newer than its last status: drop (§6.4) */
    HB_SEQ_INVALID,      /* seq 0: drop ("bad sequence number") */
    HB_SEQ_VERDICT_COUNT
} hb_seq_verdict;

/* "accept", "duplicate", "old", "replay", "stale_status", "invalid";
 * "unknown" outside the enum. */
const char *hb_seq_verdict_name(int verdict);

/* One remembered missing seq and when to (re)request it. */
typedef struct hb_missing_seq {
    uint64_t seq;
    uint64_t request_at_ms;
} hb_missing_seq;

/* Receive-side state for one node.  Plain data (about 8 KiB): embed it,
 * copy it, compare it.  Read the fields, change them only through the
 * functions below. */
typedef struct hb_peer {
    uint64_t generation;    /* highest hg seen, 0 = none yet */
    uint64_t last_seq;      /* highest seq accepted, 0 = no history */
    uint64_t status_seq;    /* seq of the newest accepted status message */
    uint64_t acked_by_peer; /* highest of OUR seqs this node acked (§6.6) */
    unsigned ack_trigger;   /* 0..9, chosen at random at start (§6.6) */
    unsigned max_rexmit_delay_ms;
    size_t nmissing;
    hb_missing_seq missing[HB_MISSING_MAX]; /* ascending seq, all < last_seq */
} hb_peer;

/* Starts empty.  ack_trigger: a random number, reduced mod 10.
 * max_rexmit_delay_ms: ha.cf's max_rexmit_delay (0 = the default 250). */
void hb_peer_init(hb_peer *peer, unsigned ack_trigger, unsigned max_rexmit_delay_ms);

/* Forgets the sequence tracking - last seq, missing seqs (and their
 * requests), the node's acks of our messages - but not the generation nor
 * the last status seq: Heartbeat's reset_seqtrack().  Call it when the
 * engine declares the node dead, as Heartbeat's mark_node_dead() does; its
 * next message is then accepted as a first one (§6.4). */
void hb_peer_reset(hb_peer *peer);

/* One received sequenced message, as the engine parsed it. */
typedef struct hb_seq_input {
    uint64_t seq;        /* `seq` (hex on the wire) */
    uint64_t generation; /* `hg` (hex); 0 when absent, as Heartbeat reads it */
    bool is_status;      /* t=status: the only type that can reveal a partition */
    bool node_dead;      /* the engine considers the sender dead right now */
    uint64_t now_ms;     /* monotonic ms: schedules requests for missing seqs */
    uint64_t random;     /* any random value: spreads those requests over time */
} hb_seq_input;

/* Everything the engine may log or do after hb_peer_receive(). */
typedef struct hb_seq_result {
    hb_seq_verdict verdict;
    bool restarted;       /* hg rose above a known one: INFO "Heartbeat restart on
                             node X"; tracking was reset (§6.4) */
    bool returned_after_partition; /* status, same hg, from a node considered
                             dead, newer seq: CRIT "Cluster node X returning after
                             partition"; Heartbeat then gives up its resources
                             and restarts itself 2 s later (§6.4) */
    uint64_t lost;        /* > 0: WARN "<lost> lost packet(s) for [X]
                             [<prev_last_seq>:<seq>]" (decimal) */
    uint64_t prev_last_seq;
    bool reset_on_big_gap; /* lost > HB_GAP_RESET_LIMIT: ERROR "lost a lot of
                             packets!"; tracking restarted at this seq */
    uint32_t forgotten;   /* missing seqs pushed out of the full list */
    bool filled_gap;      /* this seq was a remembered missing one (or a NAKed one
                             was forgotten) */
    bool none_missing;    /* that was the last gap: INFO "No pkts missing from X!" */
    bool ack;             /* send NS_ackmsg dest=X ackseq=<ack_seq> (only when
                             flow control is on, §6.6) */
    uint64_t ack_seq;
} hb_seq_result;

/* The sequence rung of the receive ladder (§6.3, §6.4), after the message
 * was authenticated and its sender identified; NS_* messages never come
 * here.  In order:
 *   seq 0 -> INVALID;  hg < known -> REPLAY;
 *   hg > known -> restart: tracking reset, hg remembered;
 *   status, same hg, node_dead: seq <= last status seq -> STALE_STATUS,
 *     else returned_after_partition;
 *   no history or seq == last+1 -> ACCEPT (ack if seq % 10 == trigger and no gap);
 *   seq == last -> DUPLICATE;
 *   seq > last+1 -> ACCEPT, `lost` = seq-last-1; over HB_GAP_RESET_LIMIT the
 *     tracking restarts at seq, otherwise each missing seq is remembered and
 *     its first NS_rexmit scheduled at now + a random 50..max_rexmit_delay ms
 *     (0..max when max < 100);
 *   seq < last -> ACCEPT if it fills a remembered gap, ACCEPT with a reset
 *     after a partition, else OLD.
 * Returns out->verdict; out may be NULL. */
hb_seq_verdict hb_peer_receive(hb_peer *peer, const hb_seq_input *in, hb_seq_result *out);

/* NS_nak_rexmit firstseq=<seq> from this node: the seq is irretrievably lost
 * (ERROR "Irretrievably lost packet"), stop asking for it.  True if it was
 * remembered; out (may be NULL) gets filled_gap / none_missing / ack. */
bool hb_peer_nak(hb_peer *peer, uint64_t seq, hb_seq_result *out);

/* The seqs whose NS_rexmit is due at now_ms, ascending, at most cap of them
 * (the rest stay due).  Send each as its own request, firstseq = lastseq =
 * the seq in decimal (§6.5).  Each is rescheduled max_rexmit_delay ms later
 * and repeats while it stays missing.  While the node is not up (!peer_up)
 * nothing is returned and the due requests are postponed the same way. */
size_t hb_peer_rexmit_due(hb_peer *peer, uint64_t now_ms, bool peer_up,
                          uint64_t *seqs, size_t cap);

/* When the next NS_rexmit falls due (monotonic ms), UINT64_MAX if none. */
uint64_t hb_peer_rexmit_deadline(const hb_peer *peer);

/* True when the message `seq` should be acked right after acceptance:
 * seq % 10 == the trigger and no gap below it (§6.6). */
bool hb_peer_should_ack(const hb_peer *peer, uint64_t seq);

typedef enum hb_ack_verdict {
    HB_ACK_ADVANCED = 0, /* acked_by_peer moved up */
    HB_ACK_OLD,          /* not above what this node already acked: ignore */
    HB_ACK_BEYOND_SENT,  /* above our newest seq: ERROR "corrupted ackseq" */
} hb_ack_verdict;

/* NS_ackmsg ackseq=<ackseq> from this node addressed to us (§6.6). */
hb_ack_verdict hb_peer_ack_received(hb_peer *peer, uint64_t ackseq, uint64_t our_newest_seq);

/* Send-side history.  Slot seq % HB_HISTORY_SLOTS holds datagram `seq`, so
 * the history is a ring of the last 500 sequenced datagrams; acks free it
 * from below.  About 520 KiB: allocate it once (static or heap). */
typedef struct hb_history_slot {
    uint64_t seq;          /* 0 = empty */
    uint64_t resent_at_ms; /* valid when resent */
    bool resent;
    uint16_t len;
    uint8_t data[HB_HISTORY_DATAGRAM_MAX];
} hb_history_slot;

typedef struct hb_history {
    uint64_t newest;   /* highest seq sent, 0 = none yet */
    uint64_t released; /* every seq <= this was acked by all live nodes */
    unsigned resend_guard_ms; /* max_rexmit_delay - 10: no second resend sooner */
    hb_history_slot slot[HB_HISTORY_SLOTS];
} hb_history;

/* Empties the history.  max_rexmit_delay_ms as for hb_peer_init (0 = 250). */
void hb_history_init(hb_history *h, unsigned max_rexmit_delay_ms);

/* Records datagram `seq` exactly as sent (the bytes go out again unchanged
 * on a retransmission).  seq must be above every seq recorded so far
 * (-EINVAL otherwise, or for seq 0 / NULL data).  A datagram longer than
 * HB_HISTORY_DATAGRAM_MAX is NOT kept: the seq still counts as sent, so a
 * request for it is answered "seqno not found" (the requester then stops
 * asking), and -EMSGSIZE is returned.  The hbd engine never sends v1
 * datagrams that long; no memory is allocated, ever. */
int hb_history_add(hb_history *h, uint64_t seq, const void *datagram, size_t len);

/* The kept bytes of `seq` (valid until the next hb_history_add), or NULL. */
const uint8_t *hb_history_get(const hb_history *h, uint64_t seq, size_t *len);

/* Lowest seq a request can still be answered with bytes for: above
 * `released` and within the last HB_HISTORY_SLOTS seqs; newest + 1 when the
 * history holds nothing. */
uint64_t hb_history_floor(const hb_history *h);

/* Frees every datagram up to `acked` (never beyond newest, never backwards).
 * Flow control (§6.6): call it with the lowest acked_by_peer of the live
 * normal nodes (this node included) whenever one advances; with a single live
 * node, or with flow control off, there is nothing to wait for - call it
 * with newest - (HB_FLOW_CONTROL_LIMIT - 1), or never (the ring still
 * keeps the last 500). */
void hb_history_release(hb_history *h, uint64_t acked);

/* newest - released: above HB_FLOW_CONTROL_LIMIT Heartbeat pauses API
 * clients until acks arrive. */
uint64_t hb_history_unacked(const hb_history *h);

typedef enum hb_rexmit_action {
    HB_REXMIT_RESEND = 0,    /* send data[0..len) again on every medium */
    HB_REXMIT_NAK_TOO_LOW,   /* NS_nak_rexmit firstseq=<hex seq> info="seqno too low" */
    HB_REXMIT_NAK_NOT_FOUND, /* NS_nak_rexmit ... info="seqno not found" */
    HB_REXMIT_TOO_HIGH,      /* send nothing; WARN "Rexmit of seq <seq> requested.
                                <newest> is max." - ends the answer */
    HB_REXMIT_ACTION_COUNT
} hb_rexmit_action;

/* "resend", "nak_too_low", "nak_not_found", "too_high"; "unknown" outside. */
const char *hb_rexmit_action_name(int action);

/* The `info` text of the NS_nak_rexmit for a NAK action, else NULL. */
const char *hb_rexmit_nak_info(hb_rexmit_action action);

typedef struct hb_rexmit_item {
    hb_rexmit_action action;
    uint64_t seq;
    const uint8_t *data; /* RESEND: into the history, valid until the next add */
    size_t len;
} hb_rexmit_item;

typedef struct hb_rexmit_answer {
    size_t count;
    hb_rexmit_item item[HB_REXMIT_BATCH];
    uint64_t skipped_acked;  /* seqs the requester had already acked */
    uint64_t skipped_recent; /* seqs re-sent less than resend_guard_ms ago */
    bool truncated;          /* HB_REXMIT_BATCH answers given, seqs were left */
} hb_rexmit_answer;

/* Answers NS_rexmit firstseq=<first> lastseq=<last> (§6.5) from a node that
 * acked our seqs up to requester_acked (its hb_peer.acked_by_peer), in
 * ascending seq order: seqs <= requester_acked are skipped; below the floor
 * -> NAK_TOO_LOW; above newest -> TOO_HIGH (once, then stop); kept but
 * re-sent less than resend_guard_ms ago -> skipped; kept -> RESEND (and the
 * resend time is recorded); otherwise NAK_NOT_FOUND.  At most
 * HB_REXMIT_BATCH items.  -EINVAL (answer empty) for first == 0 or
 * first > last, which Heartbeat logs as "Invalid rexmit seqnos". */
int hb_history_answer(hb_history *h, uint64_t first, uint64_t last,
                      uint64_t requester_acked, uint64_t now_ms, hb_rexmit_answer *answer);

/* @@SECTION:PEER@@ (hb_peer.c, hb_history.c) */

/* ----------------------------------------------------- ICMP echo (ping nodes) */
/*
 * Pure ICMP echo encoding and decoding for ping nodes (ha.cf `ping`,
 * `ping6`, `ping_group`; heartbeat-wire §4.1, §8).  A ping node is any
 * host that answers echo requests; whatever the request carries comes back
 * in the reply, so hbd puts a stamp in it (HB_PING_STAMP_LEN bytes: a
 * per-process tag to recognise its own replies among everything a raw
 * socket sees, and the send time).  Real Heartbeat carries an authenticated
 * NS_st message instead; no peer ever reads the payload, so the choice is
 * local.  Sockets, addresses and timing live in the engine.
 */

#define HB_ICMP_HEADER_LEN  8u      /* type, code, checksum, id, seq */
#define HB_IPV4_HEADER_MIN  20u
#define HB_ICMP4_PAYLOAD_MAX 65507u /* 65535 - 20 (IPv4) - 8 */
#define HB_ICMP6_PAYLOAD_MAX 65527u /* 65535 (payload length) - 8 */
#define HB_PING_STAMP_LEN   20u     /* "hbd1" + tag (8) + sent_ms (8), big-endian */

/* Why a datagram read from a ping socket is not a reply to us.  Never
 * renumber: these index counters. */
typedef enum hb_icmp_drop {
    HB_ICMP_OK = 0,           /* an echo reply to us */
    HB_ICMP_TOO_SHORT,        /* below an IPv4 header, or ICMP below 8 bytes */
    HB_ICMP_NOT_IPV4,         /* IP version is not 4 */
    HB_ICMP_BAD_IHL,          /* header length < 20 or beyond the bytes read */
    HB_ICMP_BAD_TOTAL_LENGTH, /* total length below header + 8 or beyond the bytes read */
    HB_ICMP_BAD_IP_CHECKSUM,  /* IPv4 header checksum */
    HB_ICMP_FRAGMENT,         /* MF set or a fragment offset (never after reassembly) */
    HB_ICMP_NOT_ICMP,         /* IPv4 protocol is not 1 */
    HB_ICMP_BAD_CHECKSUM,     /* ICMPv4 checksum */
    HB_ICMP_NOT_ECHO_REPLY,   /* any other type: our own requests on loopback,
                                 unreachables, other hosts' traffic */
    HB_ICMP_BAD_CODE,         /* echo reply with a code other than 0 */
    HB_ICMP_OTHER_ID,         /* an echo reply for another process */
    HB_ICMP_BAD_STAMP,        /* payload too short for the stamp, or no "hbd1" */
    HB_ICMP_OTHER_TAG,        /* a stamp with another tag (another hbd, or forged) */
    HB_ICMP_DROP_COUNT
} hb_icmp_drop;

/* "ok", "too_short", ...; "unknown" outside the enum. */
const char *hb_icmp_drop_name(int reason);

/* RFC 1071 Internet checksum of data[0..len) as the 16-bit value to store
 * big-endian (byte 0 = high byte).  A packet whose checksum field is right
 * sums to 0: hb_inet_checksum(packet, len) == 0. */
uint16_t hb_inet_checksum(const void *data, size_t len);

/* ICMPv6 checksum (RFC 4443 §2.3): over the pseudo-header (src, dst, upper
 * layer length, next header 58) and the message.  Raw ICMPv6 sockets do this
 * themselves; for tests and for checking captures. */
uint16_t hb_icmp6_checksum(const uint8_t src[16], const uint8_t dst[16],
                           const void *icmp6, size_t len);

/* Builds an ICMPv4 echo request (type 8) with id, seq (both big-endian on
 * the wire) and the payload, checksum filled in: the bytes to sendto() on a
 * raw IPPROTO_ICMP socket (the kernel adds the IP header).  Returns
 * 8 + payload_len, -ENOSPC (out too small), -EMSGSIZE (payload over
 * HB_ICMP4_PAYLOAD_MAX) or -EINVAL. */
ssize_t hb_icmp4_echo_request(uint8_t *out, size_t cap, uint16_t id, uint16_t seq,
                              const void *payload, size_t payload_len);

/* The same for ICMPv6 (type 128) with the checksum field left 0: the
 * kernel computes it on raw IPPROTO_ICMPV6 sockets (RFC 3542 §3.1; the
 * source address is only known when it routes the packet). */
ssize_t hb_icmp6_echo_request(uint8_t *out, size_t cap, uint16_t id, uint16_t seq,
                              const void *payload, size_t payload_len);

/* A decoded echo reply; payload points into the caller's buffer. */
typedef struct hb_icmp_echo {
    uint16_t id;
    uint16_t seq;
    const uint8_t *payload;
    size_t payload_len;
} hb_icmp_echo;

/* Decodes what recvfrom() returns on a raw IPPROTO_ICMP socket: the IPv4
 * header (options included) then the ICMP message.  Checks, in order: size,
 * version, IHL, total length (bytes past it are ignored), header checksum,
 * fragment, protocol, ICMP checksum, type echo reply, code 0, id == want_id.
 * echo (may be NULL) is filled on HB_ICMP_OK. */
hb_icmp_drop hb_icmp4_parse_reply(const uint8_t *buf, size_t len, uint16_t want_id,
                                  hb_icmp_echo *echo);

/* Decodes what recvfrom() returns on a raw IPPROTO_ICMPV6 socket: the
 * ICMPv6 message alone (no IPv6 header; the kernel has already verified the
 * checksum, which needs the addresses).  Checks size, type echo reply (129),
 * code 0, id == want_id. */
hb_icmp_drop hb_icmp6_parse_reply(const uint8_t *buf, size_t len, uint16_t want_id,
                                  hb_icmp_echo *echo);

/* Writes hbd's payload: "hbd1", tag, sent_ms (monotonic ms), big-endian. */
void hb_ping_stamp_encode(uint8_t out[HB_PING_STAMP_LEN], uint64_t tag, uint64_t sent_ms);

/* Reads a stamp from a reply's payload (bytes after the stamp are
 * ignored): HB_ICMP_OK with *sent_ms set (may be NULL), HB_ICMP_BAD_STAMP or
 * HB_ICMP_OTHER_TAG. */
hb_icmp_drop hb_ping_stamp_decode(const uint8_t *payload, size_t len, uint64_t want_tag,
                                  uint64_t *sent_ms);

/* @@SECTION:ICMP@@ (icmp_msg.c) */

/* ----------------------------------------------------- serial medium */
/* Heartbeat's serial plugin (heartbeat-wire §2.2 "Serial specifics", §4.2,
 * §9): classic text only, inner `auth` only, point to point.  Three layers:
 *   reader (hb_serial_rx.c)  pure line assembler: bytes in, classic messages
 *                            out, for hb_receive();
 *   writer (hb_serial_tx.c)  pure output queue: signed classic bytes cut into
 *                            512-byte fragments with Heartbeat's delay, as
 *                            "not before" times the engine schedules;
 *   port (hb_serial_port.c, hb_serial_lock.c)  the tty: UUCP lock, termios,
 *                            BREAK, non-blocking read/write, close.
 * Nothing here allocates, sleeps or starts threads; times are the caller's
 * CLOCK_MONOTONIC milliseconds (now_ms). */

#define HB_SERIAL_MSG_MAX      (HB_MSG_MAX - 2u) /* longest frame a real reader keeps */
#define HB_SERIAL_FRAG_SIZE    512u    /* bytes per write() (Heartbeat FRAGSIZE)       */
#define HB_SERIAL_WRITE_TIMEOUT_MS 500 /* a fragment the tty refuses this long is dropped
                                          (Heartbeat's 500 ms alarm around write())   */
#define HB_SERIAL_DEFAULT_BAUD 19200u  /* ha.cf `baud` default                          */
#define HB_SERIAL_TX_SLOTS     64u     /* messages the writer can queue                 */
#define HB_SERIAL_TX_CAP       (HB_MSG_MAX + 8u) /* bytes the writer can queue          */
#define HB_SERIAL_PATH_MAX     512u    /* lock file path                                */
#define HB_SERIAL_DEFAULT_LOCK_DIR "/var/lock"
#define HB_SERIAL_NO_DEADLINE  INT64_MAX

/* Per-port counters; reader and writer each fill their own.  Never renumber. */
typedef enum hb_serial_counter {
    HB_SERIAL_RX_BYTES = 0,     /* bytes fed to the reader */
    HB_SERIAL_RX_MSGS,          /* complete messages handed out */
    HB_SERIAL_RX_GARBAGE_BYTES, /* bytes skipped while looking for a ">>>" line */
    HB_SERIAL_RX_BAD_START,     /* ">>>" line with more on it: frame dropped */
    HB_SERIAL_RX_BAD_END,       /* "<<<" line with more on it: frame dropped */
    HB_SERIAL_RX_SWALLOWED,     /* ">>>" inside a frame: it and the next dropped */
    HB_SERIAL_RX_OVERFLOW,      /* frame over HB_SERIAL_MSG_MAX: dropped */
    HB_SERIAL_RX_READ_ERRORS,   /* read() failures and EOFs (hb_serial_port_read) */
    HB_SERIAL_TX_BYTES,         /* bytes written */
    HB_SERIAL_TX_MSGS,          /* messages completely written */
    HB_SERIAL_TX_WRITES,        /* write() calls that wrote something */
    HB_SERIAL_TX_BLOCKED,       /* EAGAINs: the tty was full (remainder kept) */
    HB_SERIAL_TX_QUEUE_FULL,    /* messages refused because the queue was full */
    HB_SERIAL_TX_ERRORS,        /* write() failures (message dropped) */
    HB_SERIAL_TX_TIMEOUTS,      /* fragment refused for HB_SERIAL_WRITE_TIMEOUT_MS */
    HB_SERIAL_TX_DROPPED,       /* queued messages lost to errors and timeouts */
    HB_SERIAL_TX_RESYNCS,       /* "\n<<<\n" resynchronisations sent */
    HB_SERIAL_COUNTER_COUNT
} hb_serial_counter;

/* "rx_bytes", "rx_msgs", ... (stable, lowercase); "unknown" outside the enum. */
const char *hb_serial_counter_name(int counter);

/* True for the rates ha.cf `baud` accepts: 9600 19200 38400 57600 115200
 * 230400 460800. */
bool hb_serial_baud_valid(unsigned baud);

/* Heartbeat's pause between two 512-byte fragments of one message,
 * 512 / (baud / 8) s, rounded up to whole ms (214 at 19200); 0 for an
 * invalid rate. */
unsigned hb_serial_frag_delay_ms(unsigned baud);

/* --- reader (pure) */

/* Heartbeat's serial_read() as a state machine fed whatever read() returned
 * (any chunking gives the same result).  Every byte first gets what the tty's ISTRIP and IGNCR would do to it (bit 7 cleared,
 * CR dropped), in case the line discipline did not.  Lines end at '\n'; a
 * NUL byte ends a line's content (the rest up to '\n' is ignored, as
 * Heartbeat's C strings do).  Lines are skipped until one is exactly ">>>";
 * then lines are collected until one starts with "<<<".  The frame is
 * handed out if that line is exactly "<<<"; it is dropped (and counted) if
 * its ">>>" or "<<<" line carries more bytes, if it contains a line starting
 * with ">>>" (an unterminated message swallowing the next one, whose ">>>"
 * Heartbeat rejects as an illegal field [obs S6]), or if it grows over
 * HB_SERIAL_MSG_MAX (then hunting resumes at the next line, as Heartbeat's
 * does; a doomed frame is measured the same way).  "###" netstrings are
 * skipped like any other line.  Each dropped frame is counted once. */
typedef struct hb_serial_reader {
    int state;             /* private: hunting / in a frame */
    int doomed;            /* private: 0, or the counter this frame's drop goes to */
    bool handed_out;       /* private: buf holds the message returned last */
    bool line_cut;         /* private: a NUL ended this line's content */
    size_t line_len;       /* private: content bytes of the current line */
    size_t line_raw;       /* private: all bytes of the current line */
    uint8_t head[3];       /* private: its first content bytes */
    size_t len;            /* private: frame bytes in buf (whole lines) */
    uint64_t counter[HB_SERIAL_COUNTER_COUNT];
    uint8_t buf[HB_MSG_MAX];
} hb_serial_reader;

/* Starts hunting at a line start, with zero counters. */
void hb_serial_reader_init(hb_serial_reader *r);

/* Forgets a partial frame and line (after a read error, hangup or reopen);
 * counters are kept. */
void hb_serial_reader_reset(hb_serial_reader *r);

/* Feeds bytes and stops after the first complete message.  Returns how many
 * bytes were consumed (all of them unless a message completed).  *msg is set
 * to ">>>\n...<<<\n" (msg_len bytes, no NUL, ready for hb_receive()), valid
 * until the next call, or to NULL.  Loop until the input is consumed:
 *     while (len > 0) { size_t n = hb_serial_reader_feed(r, p, len, &m, &ml);
 *                       p += n; len -= n; if (m) handle(m, ml); }      */
size_t hb_serial_reader_feed(hb_serial_reader *r, const uint8_t *in, size_t len,
                             const uint8_t **msg, size_t *msg_len);

/* --- writer (pure) */

/* A FIFO of classic messages.  Each message goes out in 512-byte fragments;
 * after a fragment that is not the message's last, the next one may start
 * only hb_serial_frag_delay_ms() later (Heartbeat's usleep between
 * fragments; real v1 messages are one fragment).  A fragment the tty keeps
 * refusing for HB_SERIAL_WRITE_TIMEOUT_MS makes the writer drop the whole
 * queue (like Heartbeat's TTY write timeout + tcflush).  Whenever bytes of a
 * message may have been cut, and once after init, "\n<<<\n" is sent before
 * the next message: it ends any half-sent frame at the peer, so the peer's
 * reader does not swallow that next message [obs S6]; to a reader that is
 * between messages it is two ignored lines. */
typedef struct hb_serial_writer {
    unsigned frag_delay_ms;
    int64_t not_before_ms;  /* private: the next fragment may start then */
    int64_t eligible_ms;    /* private: the current piece is writable since */
    size_t head, tail;      /* private: unsent bytes are buf[head..tail) */
    size_t cur_sent;        /* private: bytes of the first message written */
    unsigned first, nslots; /* private: queued message lengths (a ring) */
    uint32_t slot_len[HB_SERIAL_TX_SLOTS];
    unsigned resync_left;   /* private: bytes of "\n<<<\n" still to send */
    uint64_t counter[HB_SERIAL_COUNTER_COUNT];
    uint8_t buf[HB_SERIAL_TX_CAP];
} hb_serial_writer;

/* Empty queue, zero counters, resync pending.  -EINVAL for a bad baud. */
int hb_serial_writer_init(hb_serial_writer *w, unsigned baud);

/* The bytes a serial link carries for msg: what hb_msg_sign() then
 * hb_encode_classic() would give (the inner auth recomputed with the signing
 * entry, in the place of the first `auth` field or appended; no outer
 * trailer on serial), without modifying msg - so the engine can pass the
 * message it also sends by UDP.  Returns the length, or -ENOENT (no signing
 * key), -ENOSPC (cap; out is also scratch), -EMSGSIZE (over
 * HB_SERIAL_MSG_MAX), -EILSEQ (a byte >= 0x80, CR or NUL in the text: the
 * peer's ISTRIP/IGNCR would change it and its digest check would fail). */
ssize_t hb_serial_encode(const hb_msg *msg, const hb_keys *keys, uint8_t *out, size_t cap);

/* Queues one message: bytes from hb_serial_encode() (sent as given, 1 ..
 * HB_SERIAL_MSG_MAX), or msg signed and encoded straight into the queue (no
 * scratch buffer).  0, -ENOBUFS (HB_SERIAL_TX_SLOTS messages or
 * HB_SERIAL_TX_CAP bytes queued; counted), -EMSGSIZE, or an
 * hb_serial_encode() error.  Call hb_serial_port_flush() afterwards. */
int hb_serial_writer_queue(hb_serial_writer *w, const void *bytes, size_t len, int64_t now_ms);
int hb_serial_writer_queue_msg(hb_serial_writer *w, const hb_msg *msg, const hb_keys *keys,
                               int64_t now_ms);

/* What may be written now: sets *data and returns the byte count (at most
 * the rest of the current fragment), or 0 (queue empty, or before the next
 * fragment's time). */
size_t hb_serial_writer_next(const hb_serial_writer *w, int64_t now_ms, const uint8_t **data);

/* Records that n bytes of the last hb_serial_writer_next() were written. */
void hb_serial_writer_advance(hb_serial_writer *w, size_t n, int64_t now_ms);

/* After the tty refused the current piece: when it has been refused for
 * HB_SERIAL_WRITE_TIMEOUT_MS, drops the queue, counts, schedules a resync and
 * returns true (the caller then discards the tty's output, tcflush). */
bool hb_serial_writer_expire(hb_serial_writer *w, int64_t now_ms);

/* After a write() error: drops the first message (counted; a resync follows
 * if part of it was written). */
void hb_serial_writer_abort(hb_serial_writer *w, int64_t now_ms);

/* When hb_serial_port_flush() should run again without an EPOLLOUT: the next
 * fragment's time, or the write-timeout deadline of a blocked piece;
 * HB_SERIAL_NO_DEADLINE when the queue is empty. */
int64_t hb_serial_writer_wake_ms(const hb_serial_writer *w, int64_t now_ms);

/* Queued bytes not yet written (excluding a pending resync), and messages. */
size_t hb_serial_writer_pending(const hb_serial_writer *w);
unsigned hb_serial_writer_queued(const hb_serial_writer *w);

/* --- port (I/O) */

/* The UUCP lock file name Heartbeat uses: "LCK.." + the alphanumeric
 * characters of the device path after its first 5 bytes ("/dev/"), at most
 * 63 ("/dev/pts/3" -> "LCK..pts3").  Length written, or -EINVAL / -ENOSPC. */
int hb_serial_lock_name(const char *device, char *out, size_t cap);

/* Takes the lock in lock_dir (NULL: HB_SERIAL_DEFAULT_LOCK_DIR) like
 * Heartbeat/HDB UUCP: a temporary file holding our pid as "%11ld\n" (12
 * bytes) is hard-linked to the lock name.  An existing lock whose pid is
 * alive (kill(pid, 0) succeeds or fails other than ESRCH) and is neither
 * ours nor <= 1 refuses with -EBUSY; an unreadable, empty or dead-pid lock is
 * stale and replaced (an unreadable or empty one younger than 2 s gives
 * -EAGAIN: someone may be writing it; Heartbeat sleeps 1 s instead).  Our
 * own pid counts as stale (Heartbeat's rule; pids repeat across restarts in
 * containers), so this does not stop one process from locking a line twice.
 * Writes the lock path to path_out.  0 or -errno. */
int hb_serial_lock(const char *lock_dir, const char *device, char *path_out, size_t cap);

/* Removes the lock file if it still holds our pid.  0 or -errno. */
int hb_serial_unlock(const char *lock_path);

typedef struct hb_serial_port {
    int fd;                 /* -1 when closed */
    unsigned baud;
    char lock_path[HB_SERIAL_PATH_MAX]; /* "" when not locked */
    hb_serial_reader rx;
    hb_serial_writer tx;
} hb_serial_port;

/* Opens and sets up a serial line as Heartbeat does: lock (above), open
 * O_RDWR|O_NOCTTY|O_NONBLOCK|O_CLOEXEC, termios raw 8N1 + CRTSCTS CLOCAL
 * CREAD, input IGNCR ISTRIP BRKINT INPCK, no echo/ICANON/ISIG/OPOST,
 * VMIN=1 VTIME=1, the baud rate in both directions (checked after
 * tcsetattr), tcflush both queues, then a BREAK (tcsendbreak 0) so the peer
 * flushes.  Blocking set-up call (the BREAK lasts 0.25-0.5 s on a UART): do
 * not run it on the heartbeat thread.  0 or -errno (-EINVAL bad baud or
 * path, -EBUSY locked, -EAGAIN lock being written, -ENOTTY not a tty, ...);
 * on failure nothing is held and port->fd is -1.  The port must not be open
 * already; reader and writer start afresh. */
int hb_serial_open(hb_serial_port *port, const char *device, unsigned baud,
                   const char *lock_dir);

/* Closes the fd and removes the lock.  The kernel may wait for unsent output
 * to drain (the driver's closing_wait), so not on the heartbeat thread.
 * Safe to call twice.  0 or -errno from close(). */
int hb_serial_close(hb_serial_port *port);

/* One non-blocking read(): bytes read (feed them to port->rx), -EAGAIN when
 * nothing is waiting, 0 at EOF (the reader is reset: a partial frame is
 * lost, as in Heartbeat), -errno.  A pty whose other side closed reads 0
 * (and writes -EIO) and then polls POLLIN|POLLHUP for ever: stop polling it
 * or reopen.  EOFs and errors are counted. */
ssize_t hb_serial_port_read(hb_serial_port *port, void *buf, size_t cap);

/* hb_serial_port_flush() results. */
#define HB_SERIAL_FLUSH_IDLE    0 /* queue empty */
#define HB_SERIAL_FLUSH_BLOCKED 1 /* tty full: wait for EPOLLOUT (and the timer) */
#define HB_SERIAL_FLUSH_WAIT    2 /* next fragment not before hb_serial_writer_wake_ms() */

/* Writes what the fragment schedule and the tty allow, never blocking:
 * EINTR retried, a short write or EAGAIN keeps the remainder, a write-timeout
 * drops the queue and tcflush()es the output.  Call it after queueing, on
 * EPOLLOUT, and when the timer at hb_serial_writer_wake_ms() fires.  Returns
 * HB_SERIAL_FLUSH_IDLE/BLOCKED/WAIT, or -errno after a write() error (the
 * message was dropped and counted; call again for the rest). */
int hb_serial_port_flush(hb_serial_port *port, int64_t now_ms);

/* Reader and writer counters added together. */
void hb_serial_port_counters(const hb_serial_port *port,
                             uint64_t out[HB_SERIAL_COUNTER_COUNT]);

/* @@SECTION:SERIAL@@ (hb_serial*.c) */

/* ----------------------------------------------------- heartbeat engine */
/* The heartbeat engine: one thread that owns every heartbeat medium, sends
 * `status` every keepalive, receives and authenticates, enforces sequence
 * and generation rules, answers and requests retransmissions, and decides
 * node and link death on absolute CLOCK_MONOTONIC deadlines (epoll +
 * timerfd).  The JS thread configures it, sends messages through it and
 * drains its event queue; nothing on the JS side can delay a heartbeat or a
 * death verdict.  Thread safety: every hb_engine_* function may be called
 * from any one controlling thread while the engine thread runs. */

#define HB_NODE_NAME_MAX   100u  /* Heartbeat's limit */
#define HB_ENGINE_MAX_NODES 100u /* MAXNODE */
#define HB_ENGINE_MAX_MEDIA 16u
#define HB_ENGINE_MAX_PING  32u  /* ping nodes / ping groups */
#define HB_PING_GROUP_MAX_ADDRS 16u
#define HB_STATUS_MAX      16u   /* "init", "up", "active", "dead", "ping" */
#define HB_LINK_NAME_MAX   128u  /* interface name or serial device path */

typedef enum hb_medium_kind {
    HB_MEDIUM_BCAST = 1,  /* bcast IF: to the interface's broadcast address */
    HB_MEDIUM_UCAST = 2,  /* ucast IF PEER */
    HB_MEDIUM_MCAST = 3,  /* mcast IF GROUP PORT TTL LOOP */
    HB_MEDIUM_UCAST6 = 4, /* ucast6 IF PEER[%scope] */
    HB_MEDIUM_MCAST6 = 5, /* mcast6 IF GROUP PORT HOPS LOOP */
    HB_MEDIUM_SERIAL = 6, /* serial DEVICE at baud */
} hb_medium_kind;

typedef struct hb_medium_config {
    hb_medium_kind kind;
    char iface[32];          /* network media: interface name */
    char address[64];        /* ucast/ucast6 peer or mcast group, numeric */
    uint16_t port;           /* UDP port (udpport, or the mcast line's) */
    int ttl;                 /* mcast TTL / mcast6 hops */
    int loop;                /* IP_MULTICAST_LOOP */
    char device[HB_LINK_NAME_MAX]; /* serial device path */
    unsigned baud;
} hb_medium_config;

typedef struct hb_ping_config {
    char name[HB_NODE_NAME_MAX + 1];      /* node name: the address, or the ping_group name */
    size_t naddrs;
    char addrs[HB_PING_GROUP_MAX_ADDRS][64]; /* numeric IPv4 or IPv6 */
} hb_ping_config;

typedef struct hb_engine_config {
    char node_name[HB_NODE_NAME_MAX + 1];  /* this node, lowercase */
    uint8_t uuid[HB_UUID_LEN];
    uint64_t generation;                   /* hg: rises on every start */
    size_t nnodes;                         /* cluster members, this node included */
    char nodes[HB_ENGINE_MAX_NODES][HB_NODE_NAME_MAX + 1];
    size_t nmedia;
    hb_medium_config media[HB_ENGINE_MAX_MEDIA];
    size_t nping;
    hb_ping_config ping[HB_ENGINE_MAX_PING];
    uint32_t keepalive_ms, deadtime_ms, warntime_ms, initdead_ms, deadping_ms;
    /* hbd's standby_keepalive: the send interval while JS says this node holds
     * nothing (hb_engine_set_standby); 0 or <= keepalive_ms = always keepalive. */
    uint32_t standby_keepalive_ms;
    /* hbd's standby_deadtime: with only hbd peers, a node holding nothing
     * advertises this dt and sends every standby_keepalive_ms even beyond
     * warntime (quiet standby); 0 or <= deadtime_ms = never. */
    uint32_t standby_deadtime_ms;
    uint32_t max_rexmit_delay_ms;          /* ha.cf max_rexmit_delay (250) */
    unsigned ttl;                          /* nodes + hopfudge */
    bool omit_inner_auth;                  /* msgfmt netstring */
    bool log_bad_packets;                  /* log_badpack: emit (rate-limited) drop events */
    bool realtime;                         /* SCHED_FIFO the engine thread, mlockall */
    int rtprio;                            /* 0 = midpoint of SCHED_FIFO's range */
    char serial_lock_dir[HB_LINK_NAME_MAX]; /* "" = /var/lock */
    hb_keys keys;
} hb_engine_config;

typedef enum hb_event_type {
    HB_EV_NODE_STATUS = 1,    /* node, status (peer's advertised st, or dead/ping) */
    HB_EV_LINK_STATUS,        /* node, link, status up|dead */
    HB_EV_LATE_HEARTBEAT,     /* node, value = interval ms, flag 1 = beyond deadtime */
    HB_EV_MESSAGE,            /* node (src), payload = netstring body of the message */
    HB_EV_NODE_RESTART,       /* node, value = new generation */
    HB_EV_PARTITION_RETURN,   /* node came back with the same generation after being dead */
    HB_EV_LOST_PACKETS,       /* node, value = count, value2 = last seq before the gap */
    HB_EV_IRRETRIEVABLE,      /* node, value = seq a peer says it cannot retransmit */
    HB_EV_DROP,               /* value = hb_drop reason or engine drop reason, text = detail (rate-limited) */
    HB_EV_MEDIUM_ERROR,       /* link, value = errno, text = operation (rate-limited) */
    HB_EV_TARDY,              /* value = ms the engine woke up late */
    HB_EV_REXMIT_TOO_NEW,     /* node asked for seq value, value2 = our max seq */
    HB_EV_TAKEOVER,           /* node (the dead peer), value = steps done, value2 = steps failed,
                                 text = the first failure */
    HB_EV_CADENCE,            /* status "normal"|"quiet", value = send interval ms, value2 = advertised dt */
} hb_event_type;

typedef struct hb_event {
    hb_event_type type;
    uint64_t mono_ms;                 /* CLOCK_MONOTONIC when it happened */
    char node[HB_NODE_NAME_MAX + 1];
    char link[HB_LINK_NAME_MAX];
    char status[HB_STATUS_MAX];
    int64_t value;
    int64_t value2;
    char text[256];
    size_t payload_len;               /* HB_EV_MESSAGE: netstring body */
    uint8_t *payload;                 /* owned by the event; freed by hb_event_free */
} hb_event;

/* Reasons the engine (not the receive ladder) drops a datagram; counted after
 * the hb_drop_reason counters. */
typedef enum hb_engine_drop {
    HB_EDROP_UNKNOWN_NODE = 0, /* src is not a cluster member (autojoin none) */
    HB_EDROP_OWN_MESSAGE,      /* our own broadcast/multicast coming back */
    HB_EDROP_REPLAY,           /* generation lower than already seen */
    HB_EDROP_OLD_SEQ,          /* seq below the window and not a remembered gap */
    HB_EDROP_DUPLICATE,        /* same seq again (another medium): link liveness only */
    HB_EDROP_NO_SEQ,           /* ordinary message without seq / hg */
    HB_EDROP_NOT_FOR_US,       /* dest is another node (still advances seq) */
    HB_EDROP_BAD_CONTROL,      /* unparsable seq/hg/dt */
    HB_EDROP_SERIAL_GARBAGE,   /* bytes skipped on a serial link */
    HB_EDROP_COUNT
} hb_engine_drop;

const char *hb_engine_drop_name(int reason);

/* Counters, updated by the engine thread with relaxed atomics; the whole
 * block can be read at any time (e.g. mapped as a JS BigUint64Array). */
typedef enum hb_counter {
    HB_CTR_RX_DATAGRAMS = 0,
    HB_CTR_RX_BYTES,
    HB_CTR_RX_ACCEPTED,
    HB_CTR_TX_DATAGRAMS,
    HB_CTR_TX_BYTES,
    HB_CTR_TX_ERRORS,
    HB_CTR_STATUS_SENT,
    HB_CTR_MESSAGES_SENT,
    HB_CTR_REXMIT_REQUESTS_SENT,
    HB_CTR_REXMIT_REQUESTS_RECEIVED,
    HB_CTR_REXMITS_SENT,
    HB_CTR_NAKS_SENT,
    HB_CTR_ACKS_SENT,
    HB_CTR_LATE_HEARTBEATS,
    HB_CTR_TARDY_WAKEUPS,
    HB_CTR_NODE_DEATHS,
    HB_CTR_PING_SENT,
    HB_CTR_PING_REPLIES,
    HB_CTR_EVENTS_DROPPED,     /* event queue full */
    HB_CTR_STALLS_FORGIVEN,    /* the thread itself was held up: peers got the time back */
    HB_CTR_WAKEUPS,            /* times the heartbeat thread woke (timer, datagram, command) */
    HB_CTR_DROP_BASE,          /* + hb_drop_reason (HB_DROP_REASON_COUNT entries) */
    HB_CTR_EDROP_BASE = HB_CTR_DROP_BASE + HB_DROP_REASON_COUNT, /* + hb_engine_drop */
    HB_CTR_COUNT = HB_CTR_EDROP_BASE + HB_EDROP_COUNT
} hb_counter;

/* "rx_datagrams", ..., "drop_bad_auth", ..., "edrop_replay" */
const char *hb_counter_name(int counter);

typedef struct hb_engine hb_engine;

/* Called by the engine thread when the event queue goes from empty to
 * non-empty (coalesced: once until the queue has been drained). */
typedef void (*hb_engine_notify_fn)(void *arg);

/* Validates the config, opens every medium (sockets bound, serial ports
 * locked and configured) and returns a stopped engine, or NULL with *err set
 * (negative errno) and errtext describing what failed. */
hb_engine *hb_engine_create(const hb_engine_config *cfg, hb_engine_notify_fn notify, void *notify_arg,
                            int *err, char *errtext, size_t errtext_len);

/* Starts the thread (status init is sent at once). */
int hb_engine_start(hb_engine *e);

/* Stops the thread, closes every medium.  Idempotent.  Then free with _destroy. */
void hb_engine_stop(hb_engine *e);
void hb_engine_destroy(hb_engine *e);

/* Our advertised status ("up", "active", "dead" for a graceful stop); a status
 * message is sent at once when it changes (heartbeat-wire §6.2). */
int hb_engine_set_status(hb_engine *e, const char *status);

/* Whether this node holds no resources: then heartbeats go out every
 * standby_keepalive_ms instead of keepalive_ms (a peer's deadtime only needs
 * to hear us; it is the active node's heartbeats that decide a failover);
 * with standby_deadtime_ms and only hbd peers, as a quiet standby.
 * The engine leaves standby by itself the instant it runs a takeover plan. */
int hb_engine_set_standby(hb_engine *e, bool standby);

/* Sends a sequenced (or NS_) message on every medium: `body` is the message's
 * own fields in netstring form (hb_encode_netstring, no control fields); the
 * engine adds the control fields, signs, sends, keeps it for retransmission
 * and delivers it locally too (HB_EV_MESSAGE from ourselves), as Heartbeat
 * processes its own messages.  Returns 0 or a negative errno. */
int hb_engine_send(hb_engine *e, const uint8_t *body, size_t body_len);

/* Moves up to max queued events into out[]; returns how many.  Each must be
 * released with hb_event_free(). */
size_t hb_engine_poll(hb_engine *e, hb_event *out, size_t max);
void hb_event_free(hb_event *ev);

/* The counters block (HB_CTR_COUNT entries). */
const uint64_t *hb_engine_counters(const hb_engine *e);

/* Snapshot of what the engine knows, for status displays. */
typedef struct hb_link_view {
    char name[HB_LINK_NAME_MAX];
    bool up;
    int64_t last_heard_ms;   /* monotonic; -1 = never */
} hb_link_view;

typedef struct hb_node_view {
    char name[HB_NODE_NAME_MAX + 1];
    bool is_ping;
    bool is_self;
    char status[HB_STATUS_MAX];
    int64_t last_heard_ms;   /* monotonic ms of the last status (or ping reply); -1 = never */
    uint32_t deadtime_ms;    /* the dt it advertises (or initdead/deadping) */
    bool hbd;                /* its heartbeats say it is hbd (hbd=1) */
    uint64_t generation;
    uint64_t last_seq;
    char uuid_hex[2 * HB_UUID_LEN + 1];
    size_t nlinks;
    hb_link_view links[HB_ENGINE_MAX_MEDIA];
} hb_node_view;

typedef struct hb_engine_view {
    int64_t now_ms;          /* monotonic now */
    int64_t started_ms;
    char own_status[HB_STATUS_MAX];
    uint64_t seq;            /* last seq we sent */
    uint32_t send_interval_ms; /* keepalive, or standby_keepalive while standing by */
    uint32_t advertised_deadtime_ms; /* the dt in our heartbeats (standby_deadtime when quiet) */
    bool quiet;              /* quiet standby: announcing or sending at standby_keepalive */
    size_t nnodes;
    hb_node_view nodes[HB_ENGINE_MAX_NODES + HB_ENGINE_MAX_PING];
} hb_engine_view;

/* Copies the current state (consistent under the engine's lock). */
void hb_engine_view_get(hb_engine *e, hb_engine_view *out);

/* CLOCK_MONOTONIC in milliseconds. */
int64_t hb_mono_ms(void);

/* A pre-armed takeover (issue: takeover on death): what the engine thread
 * does by itself the instant it declares `peer` dead, before telling JS -
 * add the VIPs, send the first gratuitous ARP/NA round at once and pace the
 * remaining rounds on its own timers. */
#define HB_TAKEOVER_MAX_STEPS 64u

typedef enum hb_takeover_kind {
    HB_TAKEOVER_ADDRESS = 1,  /* add an address (EEXIST counts as done) */
    HB_TAKEOVER_ANNOUNCE = 2, /* gratuitous ARP (IPv4) / unsolicited NA (IPv6) */
} hb_takeover_kind;

typedef struct hb_takeover_step {
    hb_takeover_kind kind;
    char ifname[16];
    char address[46];
    uint8_t prefixlen;        /* ADDRESS */
    char broadcast[46];       /* ADDRESS, IPv4; "" = none */
    char label[16];           /* ADDRESS, IPv4; "" = none */
    bool nodad;               /* ADDRESS, IPv6 */
    unsigned count;           /* ANNOUNCE: rounds */
    unsigned interval_ms;     /* ANNOUNCE: between rounds */
    int mode;                 /* ANNOUNCE: hb_garp_mode (1 request, 2 reply, 3 both) */
} hb_takeover_step;

/* Replaces the plan for `peer` (n = 0 disarms).  Thread-safe; takes effect
 * on the engine thread.  -ENOENT for an unknown node, -E2BIG past
 * HB_TAKEOVER_MAX_STEPS. */
int hb_engine_arm_takeover(hb_engine *e, const char *peer, const hb_takeover_step *steps, size_t n);

/* @@SECTION:ENGINE@@ (hb_engine.c, hb_udp.c, ...) */

/* ------------------------------------------ addresses, routes, gratuitous ARP/NA */
/*
 * Virtual IP plumbing: what Heartbeat's IPaddr/IPaddr2/SendArp/IPv6addr do
 * with ip(8), findif and send_arp, without running any of them.  Four files,
 * each usable without the next:
 *
 *   rtnl_msg.c   pure rtnetlink: RTM_NEWADDR/DELADDR/GETADDR, RTM_GETROUTE
 *                and RTM_GETLINK requests built in caller buffers (the same
 *                layouts iproute2 sends), RTM_NEWADDR/NEWROUTE/NEWLINK
 *                replies decoded into the structs below (unknown attributes
 *                skipped), and findif's choice among the routes.  Framing and
 *                attributes are nl_msg.c's (see the IPVS section below).
 *   rtnl_ops.c   the operations over one NETLINK_ROUTE socket (nl_socket.c):
 *                one call = one short round trip, errors as -errno plus a
 *                text saying what failed.
 *   garp_msg.c   pure frames: the gratuitous ARP request and reply exactly as
 *                send_arp (resource-agents, libnet build) sends them, the
 *                unsolicited neighbour advertisement of IPv6addr/keepalived,
 *                and a parser for both.
 *   garp_sock.c  the AF_PACKET sender: open on one interface (frames built
 *                once), then one round per call, paced by the caller (the
 *                heartbeat thread) or by hb_garp_announce (a worker thread).
 *
 * Addresses are network-order bytes in a 16-byte array (IPv4 in bytes 0..3,
 * the rest zero); families are AF_INET (2) and AF_INET6 (10).  Numbers
 * (IFA_F_*, RT_SCOPE_*, RTN_*, IFF_*, ARPHRD_*) are the kernel's: include
 * linux/if_addr.h, linux/rtnetlink.h, net/if.h where you need the names.
 *
 * Threads: nothing here keeps global state.  One hb_rtnl / hb_garp handle
 * serves one thread at a time (the engine thread opens its own), calls
 * allocate nothing after open, and every wait is bounded (HB_RTNL_TIMEOUT_MS
 * per netlink answer; sending a frame never blocks; only hb_garp_announce
 * sleeps, as long as its rounds take).
 */

#define HB_RTNL_IFNAME_MAX  16u    /* IFNAMSIZ, with the NUL */
#define HB_RTNL_HWADDR_MAX  32u    /* MAX_ADDR_LEN */
#define HB_RTNL_REQ_MAX     128u   /* the largest request is ~64 bytes */
#define HB_RTNL_ERROR_MAX   256u   /* hb_rtnl_last_error() text */
#define HB_RTNL_TIMEOUT_MS  2000u  /* the kernel answers rtnetlink at once */
#define HB_RTNL_ADDR_TEXT   46u    /* INET6_ADDRSTRLEN */

struct hb_nl_msg; /* nl_msg.c, declared with the IPVS section */

/* The kernel's flag bits the addon reports, for code that includes no
 * kernel headers (rtnl_msg.c checks them against linux/if_addr.h, net/if.h). */
#define HB_IFA_F_SECONDARY      0x01u   /* IFA_F_SECONDARY */
#define HB_IFA_F_NODAD          0x02u   /* IFA_F_NODAD */
#define HB_IFA_F_DADFAILED      0x08u   /* IFA_F_DADFAILED */
#define HB_IFA_F_TENTATIVE      0x40u   /* IFA_F_TENTATIVE */
#define HB_IFA_F_NOPREFIXROUTE  0x200u  /* IFA_F_NOPREFIXROUTE */
#define HB_IFF_UP               0x1u    /* IFF_UP */
#define HB_IFF_LOWER_UP         0x10000u /* IFF_LOWER_UP: carrier */

/* -------------------------------------------------- rtnl_msg.c: structs */

/* One interface address (struct ifaddrmsg + attributes). */
typedef struct hb_rtnl_addr {
    uint8_t family;        /* AF_INET / AF_INET6 */
    uint8_t prefixlen;
    uint8_t scope;         /* RT_SCOPE_*; requests send 0 (universe), like ip(8) */
    uint32_t flags;        /* IFA_F_*: requests NODAD, NOPREFIXROUTE; replies also
                              SECONDARY, TENTATIVE, DADFAILED, PERMANENT ... */
    uint32_t ifindex;
    uint8_t addr[16];      /* the address itself (IFA_LOCAL, else IFA_ADDRESS) */
    bool has_broadcast;    /* IPv4 only */
    uint8_t broadcast[4];
    char label[HB_RTNL_IFNAME_MAX]; /* IPv4 IFA_LABEL ("eth0:0"); "" = none */
} hb_rtnl_addr;

/* One route (struct rtmsg + attributes). */
typedef struct hb_rtnl_route {
    uint8_t family;
    uint8_t dst_len;       /* prefix length; 0 = default */
    uint8_t protocol;      /* RTPROT_* (2 = kernel: a connected route) */
    uint8_t scope;         /* RT_SCOPE_* (253 = link) */
    uint8_t type;          /* RTN_* (1 = unicast) */
    uint32_t table;        /* RTA_TABLE, else rtm_table (254 = main) */
    uint32_t flags;        /* rtm_flags */
    uint32_t oif;          /* output interface index, 0 = none */
    uint32_t priority;     /* the metric */
    uint8_t dst[16];       /* zero when dst_len is 0 */
    bool has_gateway;      /* RTA_GATEWAY or RTA_VIA */
    uint8_t gateway[16];   /* RTA_GATEWAY (same family) */
    bool multipath;        /* RTA_MULTIPATH: several next hops */
    bool has_prefsrc;
    uint8_t prefsrc[16];
} hb_rtnl_route;

/* One interface (struct ifinfomsg + attributes). */
typedef struct hb_rtnl_link {
    uint32_t ifindex;
    char name[HB_RTNL_IFNAME_MAX];
    uint16_t type;         /* ARPHRD_* (1 = Ethernet) */
    uint32_t flags;        /* IFF_*: UP, LOWER_UP, NOARP ... */
    uint32_t mtu;
    uint8_t operstate;     /* IF_OPER_* (6 = up); 0 when not reported */
    uint8_t hwaddr_len;    /* 6 for Ethernet */
    uint8_t hwaddr[HB_RTNL_HWADDR_MAX];
} hb_rtnl_link;

/* -------------------------------------------------- rtnl_msg.c: requests */

/* Each builds one complete request into buf and returns its length,
 * -EINVAL (unknown family, prefix length over 32/128, a label on an IPv6
 * address, a label or name that does not fit) or -ENOSPC.  Flags are what
 * ip(8) sends: NEWADDR REQUEST|ACK|EXCL|CREATE, DELADDR REQUEST|ACK, the
 * dumps REQUEST|DUMP; the gets add ACK to ip(8)'s REQUEST, so that every
 * answer ends with an NLMSG_ERROR (hb_nl_rx needs an end).
 *
 * NEWADDR/DELADDR: IFA_LOCAL, [IFA_BROADCAST], [IFA_LABEL], IFA_ADDRESS,
 * [IFA_FLAGS when flags has bits above the 8 of ifa_flags]; `type` is
 * RTM_NEWADDR or RTM_DELADDR; a->ifindex must be set. */
ssize_t hb_rtnl_encode_addr(void *buf, size_t cap, uint16_t type, uint32_t seq,
                            const hb_rtnl_addr *a);
/* RTM_GETADDR dump of one family (0 = all). */
ssize_t hb_rtnl_encode_addr_dump(void *buf, size_t cap, uint32_t seq, uint8_t family);
/* RTM_GETROUTE dump of one family's main table (RTA_TABLE 254, as
 * `ip route show table main`; kernels with strict checking filter on it). */
ssize_t hb_rtnl_encode_route_dump(void *buf, size_t cap, uint32_t seq, uint8_t family);
/* RTM_GETROUTE for one destination: the kernel's own route lookup
 * (`ip route get`); fib_match asks for the matching table entry itself
 * (`ip route get fibmatch`, RTM_F_FIB_MATCH) instead of the cached result. */
ssize_t hb_rtnl_encode_route_get(void *buf, size_t cap, uint32_t seq, uint8_t family,
                                 const uint8_t dst[16], bool fib_match);
/* RTM_GETLINK for one interface: by name (ifindex 0) or by index (name
 * NULL); IFLA_EXT_MASK asks the kernel to leave out the statistics. */
ssize_t hb_rtnl_encode_link_get(void *buf, size_t cap, uint32_t seq, uint32_t ifindex,
                                const char *name);
/* RTM_GETLINK dump. */
ssize_t hb_rtnl_encode_link_dump(void *buf, size_t cap, uint32_t seq);

/* --------------------------------------------------- rtnl_msg.c: replies */

/* 0, -EPROTO when the message is not that type (RTM_NEWADDR, RTM_NEWROUTE,
 * RTM_NEWLINK), -EBADMSG when malformed (short header, an attribute running
 * past the end, an address of the wrong size for its family, a name without
 * NUL or too long, an unknown family for addresses and routes).  Unknown
 * attributes are skipped; *out is cleared first. */
int hb_rtnl_decode_addr(const struct hb_nl_msg *m, hb_rtnl_addr *out);
int hb_rtnl_decode_route(const struct hb_nl_msg *m, hb_rtnl_route *out);
int hb_rtnl_decode_link(const struct hb_nl_msg *m, hb_rtnl_link *out);

/* Address text: "10.0.0.100" or "2001:db8::1" (the family follows from
 * the text) into *family and addr[16] (rest zeroed): 0 or -EINVAL. */
int hb_rtnl_addr_parse(const char *text, uint8_t *family, uint8_t addr[16]);
/* inet_ntop; "?" for an unknown family.  Returns out. */
const char *hb_rtnl_addr_text(uint8_t family, const uint8_t addr[16], char *out, size_t cap);

/* --------------------------------------------------- rtnl_msg.c: findif */

/* resource-agents' findif, over the routes of one family's main table: the
 * connected route that covers the address (main table, unicast, a prefix
 * (not default), no gateway or next hops, and for IPv4 scope link, as
 * `ip route list match ADDR scope link`); the longest prefix wins, then the
 * lowest metric, then the first seen.  With want_ifindex, the best route on
 * that interface is kept as well, so a configured interface can be checked
 * against the computed one. */
typedef struct hb_findif_sel {
    uint8_t family;
    uint8_t addr[16];
    uint32_t want_ifindex;        /* 0 = none */
    bool found;
    hb_rtnl_route best;           /* over every interface */
    bool found_want;
    hb_rtnl_route best_want;      /* on want_ifindex */
} hb_findif_sel;

void hb_findif_init(hb_findif_sel *s, uint8_t family, const uint8_t addr[16],
                    uint32_t want_ifindex);
/* Considers one route (of any family or table: others are ignored). */
void hb_findif_offer(hb_findif_sel *s, const hb_rtnl_route *r);
/* True when r's prefix (family, dst/dst_len) contains addr. */
bool hb_rtnl_route_covers(const hb_rtnl_route *r, uint8_t family, const uint8_t addr[16]);
/* The IPv4 broadcast address findif computes: addr | ~mask, for prefixes
 * up to /30 (false for /31 and /32, which have none). */
bool hb_ipv4_broadcast(const uint8_t addr[4], uint8_t prefixlen, uint8_t out[4]);

/* ------------------------------------------------------ rtnl_ops.c: I/O */

/* One NETLINK_ROUTE socket in one network namespace, plus the text of the
 * last error.  Opaque: open allocates it (and the socket's receive buffer),
 * nothing else does. */
typedef struct hb_rtnl hb_rtnl;

/* The interface findif chose for an address. */
typedef struct hb_findif {
    uint32_t ifindex;
    char ifname[HB_RTNL_IFNAME_MAX];
    uint8_t prefixlen;
    uint32_t metric;
    bool has_broadcast;           /* IPv4, prefix <= 30 */
    uint8_t broadcast[4];
    /* An interface was given and no connected route on it covers the
     * address: ifname is the computed interface, not the given one (IPaddr
     * refuses this, "nic [x] Calculated nic: [y]"; the caller decides). */
    bool differs;
} hb_findif;

typedef int (*hb_rtnl_addr_cb)(void *ctx, const hb_rtnl_addr *a);
typedef int (*hb_rtnl_link_cb)(void *ctx, const hb_rtnl_link *l);
typedef int (*hb_rtnl_route_cb)(void *ctx, const hb_rtnl_route *r);

/* Opens the socket in netns_path ("/run/netns/x"; NULL = the calling
 * thread's namespace).  *out = NULL on failure.  -ENOMEM, or a socket error
 * (EACCES/EPERM, ENOENT for a missing namespace file). */
int hb_rtnl_open(hb_rtnl **out, const char *netns_path);
/* Closes and frees (NULL is fine). */
void hb_rtnl_close(hb_rtnl *r);
/* What the last failed call was doing, e.g. "adding 10.0.0.100/24 to eth0"
 * (the caller appends strerror), and the kernel's extended-ACK text for it
 * ("ipv4: Address already assigned"), "" if none. */
const char *hb_rtnl_last_error(const hb_rtnl *r);
const char *hb_rtnl_kernel_message(const hb_rtnl *r);

/* All return 0 or -errno.  The kernel's refusals are passed on: ENODEV (no
 * such interface), EEXIST (address present), EADDRNOTAVAIL (address absent),
 * EINVAL, EPERM; plus -ETIMEDOUT, -EBADMSG (an answer that does not parse). */
int hb_rtnl_link_get(hb_rtnl *r, const char *ifname, hb_rtnl_link *out);
int hb_rtnl_link_by_index(hb_rtnl *r, uint32_t ifindex, hb_rtnl_link *out);
int hb_rtnl_link_list(hb_rtnl *r, hb_rtnl_link_cb cb, void *ctx);
/* Adds / removes a->addr/prefixlen on ifname (its index is looked up; with
 * ifname NULL, a->ifindex is used).  An IPv4 label must begin with the
 * interface name, as ip(8) insists (-EINVAL otherwise). */
int hb_rtnl_addr_add(hb_rtnl *r, const char *ifname, const hb_rtnl_addr *a);
int hb_rtnl_addr_del(hb_rtnl *r, const char *ifname, const hb_rtnl_addr *a);
/* Every address of a family (0 = both) on ifindex (0 = every interface). */
int hb_rtnl_addr_list(hb_rtnl *r, uint8_t family, uint32_t ifindex, hb_rtnl_addr_cb cb,
                      void *ctx);
/* The routes of one family's main table. */
int hb_rtnl_route_list(hb_rtnl *r, uint8_t family, hb_rtnl_route_cb cb, void *ctx);
/* The kernel's route lookup for dst (`ip route get fibmatch`): the table
 * entry it would use, whatever its kind.  -ENETUNREACH when none. */
int hb_rtnl_route_get(hb_rtnl *r, uint8_t family, const uint8_t dst[16], hb_rtnl_route *out);
/* findif for addr (see hb_findif_sel), with ifname the interface the
 * configuration names (NULL = none): its own connected route when it has
 * one, else the computed interface with out->differs set.  -ENETUNREACH
 * when no connected route covers the address; -ENODEV for an unknown
 * ifname; -EINVAL for an IPv6 link-local address without ifname (every
 * link has fe80::/64; findif.sh refuses this too). */
int hb_rtnl_findif(hb_rtnl *r, uint8_t family, const uint8_t addr[16], const char *ifname,
                   hb_findif *out);

/* -------------------------------------------------------- garp_msg.c: frames */

#define HB_GARP_ARP_LEN    42u  /* Ethernet 14 + ARP 28, unpadded like send_arp's */
#define HB_GARP_NA_LEN     86u  /* Ethernet 14 + IPv6 40 + NA 24 + option 8 */
#define HB_GARP_FRAME_MAX  86u
#define HB_GARP_ERROR_MAX  256u

/* What one round sends for an IPv4 address (send_arp's default is both: a
 * request, then a reply, "because some systems ignore one or the other").
 * An IPv6 round is always one neighbour advertisement. */
typedef enum hb_garp_mode {
    HB_GARP_REQUEST = 1,
    HB_GARP_REPLY = 2,
    HB_GARP_BOTH = 3,
} hb_garp_mode;

/* Gratuitous ARP as send_arp builds it: Ethernet to ff:ff:ff:ff:ff:ff from
 * mac, type 0x0806; ARP Ethernet/IPv4, op (1 request, 2 reply), sender =
 * mac/ip, target ip = ip, target hardware address 00:00:00:00:00:00 in a
 * request and mac in a reply.  Returns HB_GARP_ARP_LEN, -EINVAL for another op. */
int hb_garp_build_arp(uint8_t out[HB_GARP_ARP_LEN], uint16_t op, const uint8_t mac[6],
                      const uint8_t ip[4]);
/* Unsolicited neighbour advertisement (RFC 4861 §7.2.6): Ethernet to
 * 33:33:00:00:00:01 from mac; IPv6 (traffic class and flow label 0, hop
 * limit 255) from ip to ff02::1; ICMPv6 136 with Override (and Router when
 * router), target ip, option Target Link-Layer Address = mac; checksum
 * filled in.  Returns HB_GARP_NA_LEN. */
int hb_garp_build_na(uint8_t out[HB_GARP_NA_LEN], const uint8_t mac[6], const uint8_t ip[16],
                     bool router);

typedef enum hb_garp_kind {
    HB_GARP_KIND_ARP_REQUEST = 1,
    HB_GARP_KIND_ARP_REPLY = 2,
    HB_GARP_KIND_NA = 3,
} hb_garp_kind;

/* A received ARP or neighbour advertisement frame, decoded. */
typedef struct hb_garp_frame {
    hb_garp_kind kind;
    uint8_t eth_dst[6];
    uint8_t eth_src[6];
    uint8_t family;            /* AF_INET (ARP) / AF_INET6 (NA) */
    uint8_t addr[16];          /* ARP sender IP / NA target */
    uint8_t hwaddr[6];         /* ARP sender MAC / NA target link-layer option (zero if absent) */
    uint8_t target_ip[4];      /* ARP only */
    uint8_t target_hw[6];      /* ARP only */
    bool gratuitous;           /* ARP: sender IP == target IP; NA: to all nodes, not solicited */
    uint8_t na_flags;          /* NA: 0x80 router, 0x40 solicited, 0x20 override */
    uint8_t ip6_src[16];       /* NA only */
    uint8_t ip6_dst[16];
} hb_garp_frame;

/* 0; -EPROTO for a frame that is neither Ethernet/IPv4 ARP nor an ICMPv6
 * neighbour advertisement; -EBADMSG for one of those that is malformed
 * (short, wrong address lengths, bad ICMPv6 checksum, hop limit not 255,
 * option lengths). */
int hb_garp_parse(const uint8_t *frame, size_t len, hb_garp_frame *out);

/* ------------------------------------------------------- garp_sock.c: I/O */

typedef struct hb_garp_spec {
    const char *ifname;
    uint8_t family;            /* AF_INET: gratuitous ARP; AF_INET6: NA */
    uint8_t addr[16];
    bool na_router;            /* IPv6: set the Router flag (keepalived does when
                                  the interface forwards; IPv6addr never does) */
} hb_garp_spec;

/* An AF_PACKET socket bound to one interface with that interface's frames
 * built (the MAC is read once, at open). */
typedef struct hb_garp {
    int fd;                    /* -1 when closed */
    uint32_t ifindex;
    uint8_t mac[6];
    uint8_t family;
    uint8_t addr[16];
    char ifname[HB_RTNL_IFNAME_MAX];
    uint8_t request[HB_GARP_FRAME_MAX]; /* ARP request, or the NA */
    uint8_t reply[HB_GARP_ARP_LEN];     /* ARP reply */
    size_t frame_len;
    unsigned sent;             /* frames sent since open */
    char error[HB_GARP_ERROR_MAX];
} hb_garp;

/* Opens the socket in netns_path (NULL = the calling thread's namespace) on
 * spec->ifname.  -ENODEV (no such interface), -EOPNOTSUPP (not Ethernet:
 * loopback, tunnels), -EPERM (no CAP_NET_RAW), -EINVAL. */
int hb_garp_open(hb_garp *g, const hb_garp_spec *spec, const char *netns_path);
/* One round: IPv4 the request and/or the reply of mode, back to back
 * (request first); IPv6 one NA.  Returns the frames sent, or -errno
 * (-ENETDOWN when the interface is down, -ENXIO when it is gone). */
int hb_garp_send_round(hb_garp *g, hb_garp_mode mode);
/* Paced rounds for a caller with a thread to spare (the addon's worker;
 * the heartbeat thread paces hb_garp_send_round() on its own timers): the
 * first round at once, round k at start + k * interval_ms on
 * CLOCK_MONOTONIC (absolute deadlines: a slow send does not push the rest
 * back), sleeping in between.  Stops early once *cancel (may be NULL) is
 * nonzero, checked at least every 50 ms.  *rounds = the rounds sent.
 * Returns 0 (all sent), -ECANCELED, or the failing round's -errno. */
int hb_garp_announce(hb_garp *g, hb_garp_mode mode, unsigned count, unsigned interval_ms,
                     const int *cancel, unsigned *rounds);
/* Idempotent. */
void hb_garp_close(hb_garp *g);
/* What the last failure was doing: "sending gratuitous ARP for 10.0.0.100
 * on eth0". */
const char *hb_garp_last_error(const hb_garp *g);

/* A socket(domain, type | SOCK_CLOEXEC, protocol) created inside the
 * network namespace at netns_path (NULL: here), for any thread: the thread
 * enters the namespace and comes back.  The fd, or -errno. */
int hb_netns_socket(const char *netns_path, int domain, int type, int protocol);

/* @@SECTION:NETRES@@ (rtnl_*.c, garp_*.c) */

/* ----------------------------------------------------- IPVS over generic netlink */
/*
 * IPVS is programmed over generic netlink (family "IPVS", linux/ip_vs.h),
 * never by running ipvsadm.  Four files, each usable without the next:
 *
 *   nl_msg.c     pure netlink + generic netlink: build a request in a caller
 *                buffer, walk the messages of a received datagram, parse
 *                attributes (unknown ones skipped), follow one request's
 *                replies to its ACK / NLMSG_DONE (hb_nl_rx), the controller's
 *                family reply;
 *   ipvs_msg.c   pure IPVS: requests from the plain structs below, replies
 *                into them, address and service/destination text;
 *   nl_socket.c  the NETLINK_GENERIC socket: open (optionally inside another
 *                network namespace), send one request, receive until done;
 *   ipvs_ops.c   the operations (hb_ipvs_*): one call = one request, errors
 *                as -errno plus a text saying what failed.
 *
 * Numbers (commands, attribute types, flag bits, forwarding methods) are
 * those of linux/ip_vs.h, linux/netlink.h and linux/genetlink.h; include them
 * where you need the names.  Byte order: everything in the structs is in
 * host order except IP addresses, which are 16 bytes in network order with
 * an IPv4 address in bytes 0..3 (the kernel's union nf_inet_addr).
 */

#define HB_NL_NEST_MAX     4u      /* nesting depth of the request builder */
#define HB_NL_RX_MAX       65536u  /* receive buffer: the largest datagram read */
#define HB_NL_EXT_MSG_MAX  128u    /* kernel's extended-ACK text kept */
#define HB_IPVS_REQ_MAX    512u    /* the largest IPVS request is ~220 bytes */
#define HB_IPVS_SCHED_MAX  16u     /* IP_VS_SCHEDNAME_MAXLEN, with the NUL */
#define HB_IPVS_PE_MAX     17u     /* IP_VS_PENAME_MAXLEN + NUL */
#define HB_IPVS_IFNAME_MAX 16u     /* IP_VS_IFNAME_MAXLEN, with the NUL */
#define HB_IPVS_ERROR_MAX  256u    /* hb_ipvs_last_error() text */
#define HB_IPVS_ADDR_TEXT  56u     /* "[" + 45-char IPv6 text + "]:65535" + NUL */

/* --------------------------------------------------------- nl_msg.c: build */

/* A request being built in a caller buffer.  Errors are sticky: after the
 * first one (-ENOSPC: buffer full, -EINVAL: nesting misuse) every put is a
 * no-op and hb_nl_end() returns it, so builders need no checks per put. */
typedef struct hb_nl_builder {
    uint8_t *buf;
    size_t cap;
    size_t len;
    int err;
    unsigned depth;
    size_t nest[HB_NL_NEST_MAX]; /* offsets of the open nest headers */
} hb_nl_builder;

/* Starts a message: struct nlmsghdr (type, flags, seq, pid). */
void hb_nl_begin(hb_nl_builder *b, void *buf, size_t cap, uint16_t type, uint16_t flags,
                 uint32_t seq, uint32_t pid);
/* Starts a generic netlink message: nlmsghdr (pid 0) + genlmsghdr. */
void hb_genl_begin(hb_nl_builder *b, void *buf, size_t cap, uint16_t family, uint16_t flags,
                   uint32_t seq, uint8_t cmd, uint8_t version);
/* Appends one attribute (header + data + padding to 4 bytes). */
void hb_nl_put(hb_nl_builder *b, uint16_t type, const void *data, size_t len);
void hb_nl_put_u8(hb_nl_builder *b, uint16_t type, uint8_t v);
void hb_nl_put_u16(hb_nl_builder *b, uint16_t type, uint16_t v);
void hb_nl_put_u32(hb_nl_builder *b, uint16_t type, uint32_t v);
void hb_nl_put_u64(hb_nl_builder *b, uint16_t type, uint64_t v);
void hb_nl_put_be16(hb_nl_builder *b, uint16_t type, uint16_t host_order);
/* A NUL-terminated string attribute (the NUL is part of the payload). */
void hb_nl_put_str(hb_nl_builder *b, uint16_t type, const char *s);
/* Nested attributes: begin writes the header (with NLA_F_NESTED, as libnl
 * does), end fixes its length. */
void hb_nl_nest_begin(hb_nl_builder *b, uint16_t type);
void hb_nl_nest_end(hb_nl_builder *b);
/* Sets nlmsg_len; returns the message length or the sticky error
 * (-EINVAL when a nest is still open). */
ssize_t hb_nl_end(hb_nl_builder *b);

/* ---------------------------------------------------------- nl_msg.c: parse */

/* One netlink message of a received datagram.  payload points into the
 * datagram (after struct nlmsghdr); len = nlmsg_len - 16. */
typedef struct hb_nl_msg {
    uint16_t type;
    uint16_t flags;
    uint32_t seq;
    uint32_t pid;
    const uint8_t *payload;
    size_t len;
} hb_nl_msg;

/* Next message of the datagram at *pos (*rem bytes left); advances both.
 * 1 = *m filled, 0 = no more messages, -EBADMSG = a header shorter than 16
 * bytes, a length below 16 or beyond the datagram. */
int hb_nl_next(const uint8_t **pos, size_t *rem, hb_nl_msg *m);

/* One attribute: type without the NLA_F_NESTED/NLA_F_NET_BYTEORDER bits,
 * data = NULL when absent. */
typedef struct hb_nl_attr {
    const uint8_t *data;
    uint16_t len;
    uint16_t type;
} hb_nl_attr;

/* Fills tb[0..max] (cleared first) from the attributes in data[0..len).
 * Types above max are skipped (newer kernels add attributes), a repeated
 * type keeps the last.  -EBADMSG when a header is short or a length runs
 * past the end; trailing bytes shorter than a header are padding. */
int hb_nl_parse(const uint8_t *data, size_t len, hb_nl_attr *tb, unsigned max);

/* Typed reads: 0, -ENOENT when absent, -EBADMSG when the payload has the
 * wrong size (exactly 1/2/4/8 bytes) or a string has no NUL / does not fit
 * `cap` bytes with its NUL. */
int hb_nl_get_u8(const hb_nl_attr *a, uint8_t *v);
int hb_nl_get_u16(const hb_nl_attr *a, uint16_t *v);
int hb_nl_get_u32(const hb_nl_attr *a, uint32_t *v);
int hb_nl_get_u64(const hb_nl_attr *a, uint64_t *v);
int hb_nl_get_be16(const hb_nl_attr *a, uint16_t *host_order);
int hb_nl_get_str(const hb_nl_attr *a, char *out, size_t cap);

/* The generic netlink header of a message: 0, or -EBADMSG if shorter than
 * 4 bytes.  *attrs / *attrs_len = what follows it. */
int hb_genl_header(const hb_nl_msg *m, uint8_t *cmd, uint8_t *version, const uint8_t **attrs,
                   size_t *attrs_len);

/* ------------------------------------------- nl_msg.c: one request's replies */

/* Called for every data message that answers the request (dump parts, or
 * the single reply of a GET).  A negative return stops delivery; the rest
 * of the answer is still read (a dump must be drained before the next
 * request) and hb_nl_rx_result() returns that error. */
typedef int (*hb_nl_msg_cb)(void *ctx, const hb_nl_msg *m);

/* Follows the replies to one request through the datagrams received.  A
 * request with NLM_F_ACK ends at its NLMSG_ERROR (error 0 = ACK); a dump
 * (NLM_F_DUMP) ends at NLMSG_DONE or at an NLMSG_ERROR.  Messages whose seq
 * (or, when pid != 0, whose pid) is not ours are stale answers to an
 * abandoned request: skipped and counted. */
typedef struct hb_nl_rx {
    uint32_t seq;
    uint32_t pid;
    bool dump;
    bool done;
    hb_nl_msg_cb cb;
    void *ctx;
    int result;                        /* the kernel's: 0 or -errno, once done */
    int cb_error;                      /* first negative cb return */
    unsigned delivered;                /* data messages given to cb */
    unsigned skipped;                  /* stale messages */
    char ext_msg[HB_NL_EXT_MSG_MAX];   /* NLMSGERR_ATTR_MSG text, "" if none */
} hb_nl_rx;

void hb_nl_rx_init(hb_nl_rx *rx, uint32_t seq, uint32_t pid, bool dump, hb_nl_msg_cb cb,
                   void *ctx);
/* Feeds one received datagram: 0 = more to come, 1 = complete, -EBADMSG =
 * malformed datagram or a protocol violation (NLMSG_OVERRUN, NLMSG_DONE
 * answering a non-dump, a truncated error message). */
int hb_nl_rx_feed(hb_nl_rx *rx, const uint8_t *buf, size_t len);
/* Once complete: the kernel's error, else the callback's, else 0. */
int hb_nl_rx_result(const hb_nl_rx *rx);

/* ---------------------------------------- nl_msg.c: generic netlink controller */

#define HB_GENL_NAME_MAX 16u /* GENL_NAMSIZ */

typedef struct hb_genl_family {
    uint16_t id;
    uint32_t version;
    uint32_t hdrsize;
    uint32_t maxattr;
    char name[HB_GENL_NAME_MAX];
} hb_genl_family;

/* CTRL_CMD_GETFAMILY for `name` (REQUEST|ACK).  Length or -errno. */
ssize_t hb_genl_encode_getfamily(void *buf, size_t cap, uint32_t seq, const char *name);
/* The controller's CTRL_CMD_NEWFAMILY reply: 0, -EPROTO (another command),
 * -EBADMSG (no id/name, or malformed). */
int hb_genl_decode_family(const hb_nl_msg *m, hb_genl_family *f);

/* ------------------------------------------------------ ipvs_msg.c: structs */

/* Counters of a service or destination.  The kernel sends 32-bit STATS and
 * 64-bit STATS64 (since 4.1); the decoders prefer STATS64. */
typedef struct hb_ipvs_stats {
    uint64_t conns;    /* connections scheduled */
    uint64_t inpkts;
    uint64_t outpkts;
    uint64_t inbytes;
    uint64_t outbytes;
    uint64_t cps;      /* rates, per second, from the kernel's estimator */
    uint64_t inpps;
    uint64_t outpps;
    uint64_t inbps;
    uint64_t outbps;
} hb_ipvs_stats;

/* A virtual service.  Identity: af + fwmark (fwmark != 0), or af + protocol
 * + addr + port.  Requests that only name a service (delete, zero, the
 * destination commands, listing destinations) send the identity only. */
typedef struct hb_ipvs_service {
    uint16_t af;                          /* AF_INET / AF_INET6 */
    uint16_t protocol;                    /* IPPROTO_TCP/UDP/SCTP; unused with fwmark */
    uint8_t addr[16];
    uint16_t port;
    uint32_t fwmark;                      /* != 0: firewall-mark service */
    char sched_name[HB_IPVS_SCHED_MAX];   /* "wlc", "rr", ... */
    char pe_name[HB_IPVS_PE_MAX];         /* persistence engine, "" = none */
    uint32_t flags;                       /* IP_VS_SVC_F_*; HASHED appears in replies only */
    uint32_t timeout;                     /* persistence timeout, seconds */
    uint32_t netmask;                     /* IPv4: host-order mask (0xffffff00 = /24);
                                             IPv6: prefix length 1..128 */
    bool has_stats;                       /* replies: stats valid */
    hb_ipvs_stats stats;
} hb_ipvs_service;

/* A destination (real server) of a service. */
typedef struct hb_ipvs_dest {
    uint16_t af;              /* 0 in a request = the service's family */
    uint8_t addr[16];
    uint16_t port;
    uint32_t fwd_method;      /* IP_VS_CONN_F_MASQ 0, LOCALNODE 1, TUNNEL 2, DROUTE 3 */
    int32_t weight;           /* 0 = quiescent; the kernel refuses < 0 (ERANGE) */
    uint32_t u_threshold;     /* connection limits, 0 = none */
    uint32_t l_threshold;
    uint8_t tun_type;         /* IP_VS_CONN_F_TUNNEL_TYPE_IPIP 0, GUE 1, GRE 2 */
    uint16_t tun_port;        /* GUE destination port */
    uint16_t tun_flags;       /* IP_VS_TUNNEL_ENCAP_FLAG_CSUM 1, _REMCSUM 2 */
    uint32_t active_conns;    /* replies only */
    uint32_t inact_conns;
    uint32_t persist_conns;
    bool has_stats;
    hb_ipvs_stats stats;
} hb_ipvs_dest;

/* A connection-sync daemon.  0 in maxlen/port/ttl and mcast_af = 0 ask for
 * the kernel's defaults (maxlen from the MTU, 224.0.0.81, 8848, 1); the
 * kernel reports the values in effect. */
typedef struct hb_ipvs_daemon {
    uint32_t state;                       /* IP_VS_STATE_MASTER 1 / BACKUP 2 */
    char mcast_ifn[HB_IPVS_IFNAME_MAX];
    uint32_t syncid;                      /* 0..255, 0 = no filtering */
    uint16_t sync_maxlen;
    uint16_t mcast_af;                    /* 0, AF_INET or AF_INET6 */
    uint8_t mcast_group[16];
    uint16_t mcast_port;
    uint8_t mcast_ttl;
} hb_ipvs_daemon;

/* TCP, TCP FIN-wait and UDP connection timeouts in seconds; 0 in a set
 * request leaves that one unchanged. */
typedef struct hb_ipvs_timeouts {
    uint32_t tcp;
    uint32_t tcp_fin;
    uint32_t udp;
} hb_ipvs_timeouts;

typedef struct hb_ipvs_info {
    uint32_t version;        /* 0x010201 = 1.2.1 */
    uint32_t conn_tab_size;  /* connection hash table size */
} hb_ipvs_info;

/* ---------------------------------------------- ipvs_msg.c: requests, replies */

/* What one request carries; the command decides which fields are used:
 *   NEW/SET_SERVICE         svc (full)
 *   DEL_SERVICE, ZERO       svc identity (ZERO without svc = all)
 *   GET_SERVICE             svc identity = one service; no svc = dump all
 *   NEW/SET/DEL_DEST        svc identity + dest (full, as ipvsadm sends)
 *   GET_DEST                svc identity, dump
 *   NEW_DAEMON              daemon (state, ifname, syncid, then whatever
 *                           is not 0: maxlen, port, ttl, group)
 *   DEL_DAEMON              daemon state, ifname, syncid
 *   GET_DAEMON              dump
 *   SET_CONFIG              timeouts
 *   GET_CONFIG, GET_INFO, FLUSH   nothing
 * Flags are REQUEST|ACK, plus DUMP for the dumps (like ipvsadm). */
typedef struct hb_ipvs_request {
    uint8_t cmd;                       /* IPVS_CMD_* */
    const hb_ipvs_service *svc;
    const hb_ipvs_dest *dest;
    const hb_ipvs_daemon *daemon;
    const hb_ipvs_timeouts *timeouts;
} hb_ipvs_request;

/* Builds the request into buf.  Length, -EINVAL (unknown command, a
 * required part missing, an address family that is not AF_INET/AF_INET6,
 * a string without NUL) or -ENOSPC. */
ssize_t hb_ipvs_encode(void *buf, size_t cap, uint16_t family, uint32_t seq,
                       const hb_ipvs_request *req);
/* True when the command is answered by a dump (GET_DEST, GET_DAEMON, and
 * GET_SERVICE without a service). */
bool hb_ipvs_is_dump(const hb_ipvs_request *req);

/* Replies (dump parts and GET answers).  0, -EPROTO when the message is
 * not that command (NEW_SERVICE, NEW_DEST, NEW_DAEMON, SET_CONFIG,
 * SET_INFO), -EBADMSG when malformed or a required attribute is missing.
 * Unknown attributes are skipped; *out is cleared first. */
int hb_ipvs_decode_service(const hb_nl_msg *m, hb_ipvs_service *out);
int hb_ipvs_decode_dest(const hb_nl_msg *m, hb_ipvs_dest *out);
int hb_ipvs_decode_daemon(const hb_nl_msg *m, hb_ipvs_daemon *out);
int hb_ipvs_decode_timeouts(const hb_nl_msg *m, hb_ipvs_timeouts *out);
int hb_ipvs_decode_info(const hb_nl_msg *m, hb_ipvs_info *out);

/* inet_pton for af into a 16-byte address (rest zeroed): 0 or -EINVAL
 * (also for an af other than AF_INET/AF_INET6). */
int hb_ipvs_addr_parse(uint16_t af, const char *text, uint8_t addr[16]);
/* inet_ntop; "?" for an unknown af.  Returns out. */
const char *hb_ipvs_addr_text(uint16_t af, const uint8_t addr[16], char *out, size_t cap);
/* "TCP 10.0.0.100:80", "UDP [2001:db8::1]:53", "FWM 7", "FWM 7 IPv6"
 * (ipvsadm's words), NUL-terminated, truncated to cap. */
void hb_ipvs_service_text(const hb_ipvs_service *svc, char *out, size_t cap);
/* "10.0.0.2:80", "[2001:db8::2]:443"; af 0 = svc_af. */
void hb_ipvs_dest_text(const hb_ipvs_dest *d, uint16_t svc_af, char *out, size_t cap);

/* -------------------------------------------------------- nl_socket.c: I/O */

typedef struct hb_nl_sock {
    int fd;            /* -1 when closed */
    uint32_t pid;      /* our port id (getsockname) */
    uint32_t seq;      /* last sequence number handed out */
    uint8_t *rx;       /* HB_NL_RX_MAX bytes, allocated by hb_nl_open */
    unsigned timeout_ms; /* receive timeout per datagram (default 30000) */
} hb_nl_sock;

/* Opens and binds a netlink socket of `protocol` (NETLINK_GENERIC) with
 * extended ACKs requested and ACKs capped.  netns_path (e.g.
 * "/run/netns/bk", "/proc/1234/ns/net") opens it inside that network
 * namespace: the socket stays bound to it for its whole life; NULL = the
 * calling thread's.  -errno (EACCES/EPERM without the privileges, ENOENT
 * for a missing namespace file). */
int hb_nl_open(hb_nl_sock *s, int protocol, const char *netns_path);
void hb_nl_close(hb_nl_sock *s);
/* The next sequence number to build a request with. */
uint32_t hb_nl_next_seq(hb_nl_sock *s);
/* Sends the request in req[0..len) (built with a seq from hb_nl_next_seq and
 * NLM_F_ACK or NLM_F_DUMP) and reads until its answer is complete, giving
 * data messages to cb.  Returns the kernel's answer (0 / -errno), the
 * callback's error, -EBADMSG for an unparseable reply (the socket is then
 * drained), -ETIMEDOUT when the kernel stays silent for timeout_ms, or a
 * socket error.  ext_msg (may be NULL) receives the kernel's extended-ACK
 * text, "" if none. */
int hb_nl_request(hb_nl_sock *s, const void *req, size_t len, hb_nl_msg_cb cb, void *ctx,
                  char *ext_msg, size_t ext_cap);

/* ------------------------------------------------------- ipvs_ops.c: the API */

/* One IPVS handle = one netlink socket in one network namespace with the
 * "IPVS" family resolved.  Not thread-safe: one call at a time per handle
 * (the calls block on the kernel; run them off any event loop). */
typedef struct hb_ipvs {
    hb_nl_sock nl;
    hb_genl_family family;
    char error[HB_IPVS_ERROR_MAX];
    uint8_t req[HB_IPVS_REQ_MAX];
} hb_ipvs;

/* Opens the socket (in netns_path, or the calling thread's namespace when
 * NULL) and resolves the family.  -ENOENT when the kernel has no "IPVS"
 * family (ip_vs not loaded), else a socket error. */
int hb_ipvs_open(hb_ipvs *h, const char *netns_path);
void hb_ipvs_close(hb_ipvs *h);
/* What the last failed call was doing, e.g. "adding destination 10.0.0.2:80
 * to TCP 10.0.0.100:80", with the kernel's own text in parentheses when it
 * sent one.  The caller appends strerror(). */
const char *hb_ipvs_last_error(const hb_ipvs *h);

typedef int (*hb_ipvs_service_cb)(void *ctx, const hb_ipvs_service *svc);
typedef int (*hb_ipvs_dest_cb)(void *ctx, const hb_ipvs_dest *dest);
typedef int (*hb_ipvs_daemon_cb)(void *ctx, const hb_ipvs_daemon *d);

/* All return 0 or -errno; the kernel's errors are passed on: EEXIST (add of
 * something present), ESRCH (no such service), ENOENT (no such destination;
 * unknown scheduler or persistence engine), ENODEV (no such interface),
 * EINVAL, ERANGE (negative weight, lower threshold above upper), EPERM. */
int hb_ipvs_get_info(hb_ipvs *h, hb_ipvs_info *out);
int hb_ipvs_list_services(hb_ipvs *h, hb_ipvs_service_cb cb, void *ctx);
int hb_ipvs_get_service(hb_ipvs *h, const hb_ipvs_service *key, hb_ipvs_service *out);
/* -ESRCH when the service does not exist (the kernel's dump is just empty). */
int hb_ipvs_list_dests(hb_ipvs *h, const hb_ipvs_service *svc, hb_ipvs_dest_cb cb, void *ctx);
int hb_ipvs_add_service(hb_ipvs *h, const hb_ipvs_service *svc);
int hb_ipvs_edit_service(hb_ipvs *h, const hb_ipvs_service *svc);
int hb_ipvs_del_service(hb_ipvs *h, const hb_ipvs_service *svc);
int hb_ipvs_add_dest(hb_ipvs *h, const hb_ipvs_service *svc, const hb_ipvs_dest *dest);
int hb_ipvs_edit_dest(hb_ipvs *h, const hb_ipvs_service *svc, const hb_ipvs_dest *dest);
int hb_ipvs_del_dest(hb_ipvs *h, const hb_ipvs_service *svc, const hb_ipvs_dest *dest);
int hb_ipvs_flush(hb_ipvs *h);
/* svc NULL = every service. */
int hb_ipvs_zero(hb_ipvs *h, const hb_ipvs_service *svc);
int hb_ipvs_get_timeouts(hb_ipvs *h, hb_ipvs_timeouts *out);
int hb_ipvs_set_timeouts(hb_ipvs *h, const hb_ipvs_timeouts *t);
int hb_ipvs_list_daemons(hb_ipvs *h, hb_ipvs_daemon_cb cb, void *ctx);
int hb_ipvs_start_daemon(hb_ipvs *h, const hb_ipvs_daemon *d);
/* state = IP_VS_STATE_MASTER or IP_VS_STATE_BACKUP; -ESRCH when not running. */
int hb_ipvs_stop_daemon(hb_ipvs *h, uint32_t state);

/* @@SECTION:IPVS@@ (nl_*.c, ipvs_*.c) */

/* ------------------------------------- process helpers (version.c, sys_log.c) */

#define HB_CORE_VERSION "0.1.0"

/* The core's version string (HB_CORE_VERSION). */
const char *hb_core_version(void);

/* syslog(3) facility value for "daemon", "local0", ..., or -EINVAL. */
int hb_syslog_facility(const char *name);

/* openlog() with LOG_PID|LOG_NDELAY; ident is copied.  -EINVAL for an
 * unknown facility name. */
int hb_syslog_open(const char *ident, const char *facility);

/* syslog(priority, "%s", message). */
void hb_syslog_write(int priority, const char *message);

#ifdef __cplusplus
}
#endif

#endif /* HBCORE_H */
