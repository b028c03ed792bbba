/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sliceguardd logging: one line per event on stderr, filtered by level.
 * Under systemd (stderr connected to the journal) every line starts with the
 * syslog priority as "<N>", which journald turns into the entry's priority.
 */
#ifndef SLICEGUARDD_LOG_H
#define SLICEGUARDD_LOG_H

#include <syslog.h>

/* Levels are syslog priorities: LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG. */
void log_init(int max_level);
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...)	log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARNING, __VA_ARGS__)
#define log_notice(...)	log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)

#endif /* SLICEGUARDD_LOG_H */
