/* syslog(3) for the logger: Node has no unix datagram sockets, and libc's
 * syslog already knows the local conventions (/dev/log, LOG_PID, facility
 * encoding). Called from the JS thread only. */
#include <errno.h>
#include <string.h>
#include <syslog.h>

#include "hbcore.h"

struct facility_name {
    const char *name;
    int value;
};

static const struct facility_name facilities[] = {
    {"auth", LOG_AUTH},       {"authpriv", LOG_AUTHPRIV}, {"cron", LOG_CRON},     {"daemon", LOG_DAEMON},
    {"ftp", LOG_FTP},         {"kern", LOG_KERN},         {"lpr", LOG_LPR},       {"mail", LOG_MAIL},
    {"news", LOG_NEWS},       {"security", LOG_AUTH},     {"syslog", LOG_SYSLOG},     {"user", LOG_USER},     {"uucp", LOG_UUCP},
    {"local0", LOG_LOCAL0},   {"local1", LOG_LOCAL1},     {"local2", LOG_LOCAL2}, {"local3", LOG_LOCAL3},
    {"local4", LOG_LOCAL4},   {"local5", LOG_LOCAL5},     {"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7},
};

/* openlog() keeps the ident pointer, so it must outlive the call. */
static char syslog_ident[64];

int hb_syslog_facility(const char *name)
{
    for (size_t i = 0; i < sizeof facilities / sizeof facilities[0]; i++)
        if (strcmp(facilities[i].name, name) == 0)
            return facilities[i].value;
    return -EINVAL;
}

int hb_syslog_open(const char *ident, const char *facility)
{
    int value = hb_syslog_facility(facility);
    if (value < 0)
        return value;
    strncpy(syslog_ident, ident, sizeof syslog_ident - 1);
    syslog_ident[sizeof syslog_ident - 1] = '\0';
    openlog(syslog_ident, LOG_PID | LOG_NDELAY, value);
    return 0;
}

void hb_syslog_write(int priority, const char *message)
{
    syslog(priority & LOG_PRIMASK, "%s", message);
}
