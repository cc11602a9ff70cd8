#ifndef MIMAMORI_C_THREAD_NAME_H
#define MIMAMORI_C_THREAD_NAME_H

#include <stddef.h>

/// Names the calling thread where the operating system shows it (`top -H`, `ps -L`, gdb, core
/// dumps, /proc/PID/task/TID/comm). Linux keeps 15 bytes: a longer name is cut, not refused.
/// 0, or the errno of pthread_setname_np.
int mimamori_name_current_thread(const char *name);

/// The calling thread's name as the operating system has it, into `buffer` (16 bytes hold any).
int mimamori_current_thread_name(char *buffer, size_t size);

#endif
