// pthread_setname_np and pthread_getname_np are GNU extensions, which Swift's Glibc module does
// not declare.
#define _GNU_SOURCE
#include <pthread.h>
#include <string.h>

#include "CThreadName.h"

int mimamori_name_current_thread(const char *name) {
    char cut[16];
    strncpy(cut, name, sizeof cut - 1);
    cut[sizeof cut - 1] = '\0';
    return pthread_setname_np(pthread_self(), cut);
}

int mimamori_current_thread_name(char *buffer, size_t size) {
    return pthread_getname_np(pthread_self(), buffer, size);
}
