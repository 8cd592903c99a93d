/*
 * daemon.h -- included first by every header under editors/DAEMON/. The
 * engine at the root of editors/ names no daemon: the build defines
 * HW_DAEMON_LAYER only for the daemon libraries and what sits above them
 * (the steps, the frontends), so an engine file that includes a daemon's
 * header stops the build here instead of growing a dependency.
 */
#ifndef HW_DAEMON_H
#define HW_DAEMON_H

#ifndef HW_DAEMON_LAYER
#error "the engine names no daemon: use a table (checker.h)"
#endif

#include "checker.h"

#endif
